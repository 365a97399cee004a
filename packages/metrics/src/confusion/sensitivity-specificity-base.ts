import { type Config, type Tensor, type TensorLike, ValueError, type Variable, ops, tidy } from '@strata/core';
import { Metric, type MetricArgs } from '../metric';
import { checkOptionalIndex, ratio, updateConfusionMatrixVariables } from './confusion-utils';

export interface SensitivitySpecificityArgs extends MetricArgs {
  /** Number of thresholds spread evenly over [0, 1] (0 and 1 included). Default 200. */
  numThresholds?: number;
  /** Restricts labels and predictions to this class (last axis). */
  classId?: number | null;
}

/**
 * Keras' `SensitivitySpecificityBase`: counts tp/fp/tn/fn (variables `true_positives`,
 * `false_positives`, `true_negatives`, `false_negatives`, shape `[numThresholds]`) at
 * `numThresholds` thresholds `i / (numThresholds - 1)` (just 0.5 when `numThresholds` is 1), so
 * that subclasses can pick the best value of one statistic where another meets a constraint.
 */
export abstract class SensitivitySpecificityBase extends Metric {
  readonly value: number;
  readonly numThresholds: number;
  readonly classId: number | null;
  readonly thresholds: number[];
  readonly truePositives: Variable;
  readonly falsePositives: Variable;
  readonly trueNegatives: Variable;
  readonly falseNegatives: Variable;
  private readonly evenly: boolean;

  constructor(className: string, valueName: string, value: number, args: SensitivitySpecificityArgs, defaultName: string) {
    const { numThresholds = 200, classId = null, ...base } = args;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > 1) {
      throw new ValueError(`${className}: argument \`${valueName}\` must be in the range [0, 1]. Received: ${valueName}=${value}`);
    }
    if (!Number.isInteger(numThresholds) || numThresholds <= 0) {
      throw new ValueError(`${className}: argument \`num_thresholds\` must be an integer > 0. Received: num_thresholds=${numThresholds}`);
    }
    checkOptionalIndex(className, 'class_id', classId, 0);
    super({ ...base, name: base.name ?? defaultName });
    this.direction = 'up';
    this.value = value;
    this.numThresholds = numThresholds;
    this.classId = classId;
    if (numThresholds === 1) {
      this.thresholds = [0.5];
      this.evenly = false;
    } else {
      const inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
      this.thresholds = [0, ...inner, 1];
      this.evenly = true;
    }
    const shape = [this.thresholds.length];
    this.truePositives = this.addVariable({ name: 'true_positives', shape });
    this.falsePositives = this.addVariable({ name: 'false_positives', shape });
    this.trueNegatives = this.addVariable({ name: 'true_negatives', shape });
    this.falseNegatives = this.addVariable({ name: 'false_negatives', shape });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      updateConfusionMatrixVariables(
        this.constructor.name,
        { tp: this.truePositives, fp: this.falsePositives, tn: this.trueNegatives, fn: this.falseNegatives },
        yTrue,
        yPred as TensorLike,
        { thresholds: this.thresholds, thresholdsDistributedEvenly: this.evenly, classId: this.classId, sampleWeight },
      );
    });
  }

  /** tp / (tp + fn) at each threshold. */
  protected recalls(): Tensor {
    return ratio(this.truePositives.value, this.falseNegatives.value);
  }

  /** tp / (tp + fp) at each threshold. */
  protected precisions(): Tensor {
    return ratio(this.truePositives.value, this.falsePositives.value);
  }

  /** tn / (tn + fp) at each threshold. */
  protected specificities(): Tensor {
    return ratio(this.trueNegatives.value, this.falsePositives.value);
  }

  /**
   * Keras' `_find_max_under_constraint`: the largest `dependent` where `constrained >= value`, 0
   * when no threshold qualifies (the statistics are >= 0, so masking with 0 is the same max).
   */
  protected maxUnderConstraint(constrained: Tensor, dependent: Tensor): Tensor {
    return ops.max(ops.where(ops.greaterEqual(constrained, this.value), dependent, ops.zerosLike(dependent)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), class_id: this.classId };
  }
}
