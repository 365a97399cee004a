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

export interface RecallArgs extends MetricArgs {
  /** Threshold(s) in [0, 1]; predictions above one count as positive. Default 0.5 (none with `topK`). */
  thresholds?: number | number[] | null;
  /** Only the `topK` largest predictions of the last axis count as positive. */
  topK?: number | null;
  /** Restricts labels and predictions to this class (last axis). */
  classId?: number | null;
}

/**
 * keras.metrics.Recall: how many of the positives are predicted positive, `tp / (tp + fn)` from the
 * variables `true_positives` and `false_negatives` (shape `[numThresholds]`); 0 when nothing was
 * counted. With `topK` it measures the labels found among the top-k predictions.
 */
export class Recall extends Metric {
  readonly thresholds: number[];
  readonly topK: number | null;
  readonly classId: number | null;
  readonly truePositives: Variable;
  readonly falseNegatives: Variable;
  private readonly initThresholds: number | number[] | null;
  private readonly evenly: boolean;

  constructor(args: RecallArgs = {}) {
    const { thresholds = null, topK = null, classId = null, ...base } = args;
    super({ ...base, name: base.name ?? 'recall' });
    this.direction = 'up';
    checkOptionalIndex('Recall', 'top_k', topK, 1);
    checkOptionalIndex('Recall', 'class_id', classId, 0);
    this.initThresholds = thresholds;
    this.topK = topK;
    this.classId = classId;
    // With top_k and no thresholds every kept prediction counts (Keras' NEG_INF threshold).
    this.thresholds = parseInitThresholds('Recall', thresholds, topK == null ? 0.5 : NEG_INF);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    const shape = [this.thresholds.length];
    this.truePositives = this.addVariable({ name: 'true_positives', shape });
    this.falseNegatives = this.addVariable({ name: 'false_negatives', shape });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      updateConfusionMatrixVariables('Recall', { tp: this.truePositives, fn: this.falseNegatives }, yTrue, yPred as TensorLike, {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        topK: this.topK,
        classId: this.classId,
        sampleWeight,
      });
    });
  }

  result(): Tensor {
    return tidy(() => scalarIfSingle(ratio(this.truePositives.value, this.falseNegatives.value)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), thresholds: this.initThresholds, top_k: this.topK, class_id: this.classId };
  }
}

registerClass('metric', Recall, { module: 'keras.metrics', className: 'Recall' });
registerIdentifier('metric', ['recall', 'Recall'], () => new Recall());
