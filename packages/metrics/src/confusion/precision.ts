import { type Config, type Tensor, type TensorLike, type Variable, registerClass, registerIdentifier, tidy } from '@strata/core';
import { Metric, type MetricArgs } from '../metric';
import {
  NEG_INF,
  checkOptionalIndex,
  isEvenlyDistributedThresholds,
  parseInitThresholds,
  ratio,
  scalarIfSingle,
  updateConfusionMatrixVariables,
} from './confusion-utils';

export interface PrecisionArgs extends MetricArgs {
  /** Threshold(s) in [0, 1]; predictions above one count as positive. Default 0.5 (none with `topK`). */
  thresholds?: number | number[] | null;
  /** Only the `topK` largest predictions of the last axis count as positive. */
  topK?: number | null;
  /** Restricts labels and predictions to this class (last axis). */
  classId?: number | null;
}

/**
 * keras.metrics.Precision: how many of the predicted positives are positive, `tp / (tp + fp)` from the
 * variables `true_positives` and `false_positives` (shape `[numThresholds]`); 0 when nothing was
 * counted. With `topK` it measures the top-k predictions that are among the labels.
 */
export class Precision extends Metric {
  readonly thresholds: number[];
  readonly topK: number | null;
  readonly classId: number | null;
  readonly truePositives: Variable;
  readonly falsePositives: Variable;
  private readonly initThresholds: number | number[] | null;
  private readonly evenly: boolean;

  constructor(args: PrecisionArgs = {}) {
    const { thresholds = null, topK = null, classId = null, ...base } = args;
    super({ ...base, name: base.name ?? 'precision' });
    this.direction = 'up';
    checkOptionalIndex('Precision', 'top_k', topK, 1);
    checkOptionalIndex('Precision', 'class_id', classId, 0);
    this.initThresholds = thresholds;
    this.topK = topK;
    this.classId = classId;
    // With top_k and no thresholds every kept prediction counts (Keras' NEG_INF threshold).
    this.thresholds = parseInitThresholds('Precision', thresholds, topK == null ? 0.5 : NEG_INF);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    const shape = [this.thresholds.length];
    this.truePositives = this.addVariable({ name: 'true_positives', shape });
    this.falsePositives = this.addVariable({ name: 'false_positives', shape });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      updateConfusionMatrixVariables('Precision', { tp: this.truePositives, fp: this.falsePositives }, yTrue, yPred as TensorLike, {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        topK: this.topK,
        classId: this.classId,
        sampleWeight,
      });
    });
  }

  result(): Tensor {
    return tidy(() => scalarIfSingle(ratio(this.truePositives.value, this.falsePositives.value)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), thresholds: this.initThresholds, top_k: this.topK, class_id: this.classId };
  }
}

registerClass('metric', Precision, { module: 'keras.metrics', className: 'Precision' });
registerIdentifier('metric', ['precision', 'Precision'], () => new Precision());
