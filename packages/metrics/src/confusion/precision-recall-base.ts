import { type Config, type Tensor, type TensorLike, type Variable, tidy } from '@strata/core';
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

/** The arguments of Precision and Recall. */
export interface PrecisionRecallArgs extends MetricArgs {
  /** Threshold(s) in [0, 1]; predictions above one count as positive. Default 0.5 (none with `topK`). */
  thresholds?: number | number[] | null;
  /** Only the `topK` largest predictions of the last axis count as positive. */
  topK?: number | null;
  /** Restricts labels and predictions to this class (last axis). */
  classId?: number | null;
}

/**
 * What Precision and Recall share (Keras writes them as two near-identical classes): `true_positives`
 * and one other count per threshold (`false_positives` for precision, `false_negatives` for recall),
 * and the result `tp / (tp + other)`, 0 when nothing was counted.
 */
export abstract class PrecisionRecallBase extends Metric {
  readonly thresholds: number[];
  readonly topK: number | null;
  readonly classId: number | null;
  readonly truePositives: Variable;
  /** `false_positives` (Precision) or `false_negatives` (Recall). */
  protected readonly otherCount: Variable;
  private readonly initThresholds: number | number[] | null;
  private readonly evenly: boolean;
  private readonly layer: string;
  private readonly other: 'fp' | 'fn';

  protected constructor(layer: string, defaultName: string, other: 'fp' | 'fn', args: PrecisionRecallArgs) {
    const { thresholds = null, topK = null, classId = null, ...base } = args;
    super({ ...base, name: base.name ?? defaultName });
    this.layer = layer;
    this.other = other;
    this.direction = 'up';
    checkOptionalIndex(layer, 'top_k', topK, 1);
    checkOptionalIndex(layer, 'class_id', classId, 0);
    this.initThresholds = thresholds;
    this.topK = topK;
    this.classId = classId;
    // With top_k and no thresholds every kept prediction counts (Keras' NEG_INF threshold).
    this.thresholds = parseInitThresholds(layer, thresholds, topK == null ? 0.5 : NEG_INF);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    const shape = [this.thresholds.length];
    this.truePositives = this.addVariable({ name: 'true_positives', shape });
    this.otherCount = this.addVariable({ name: other === 'fp' ? 'false_positives' : 'false_negatives', shape });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      updateConfusionMatrixVariables(this.layer, { tp: this.truePositives, [this.other]: this.otherCount }, yTrue, yPred as TensorLike, {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        topK: this.topK,
        classId: this.classId,
        sampleWeight,
      });
    });
  }

  result(): Tensor {
    return tidy(() => scalarIfSingle(ratio(this.truePositives.value, this.otherCount.value)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), thresholds: this.initThresholds, top_k: this.topK, class_id: this.classId };
  }
}
