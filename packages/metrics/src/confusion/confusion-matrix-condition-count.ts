import { type Config, type Tensor, type TensorLike, type Variable, ops, tidy } from '@strata/core';
import { Metric, type MetricArgs } from '../metric';
import {
  type ConfusionVariables,
  isEvenlyDistributedThresholds,
  parseInitThresholds,
  scalarIfSingle,
  updateConfusionMatrixVariables,
} from './confusion-utils';

export interface ConfusionCountArgs extends MetricArgs {
  /** Threshold(s) in [0, 1]; predictions above one count as positive. Default 0.5. */
  thresholds?: number | number[] | null;
}

/**
 * Keras' `_ConfusionMatrixConditionCount`: the (weighted) number of one confusion-matrix condition
 * at each threshold, kept in the variable `accumulator` of shape `[numThresholds]`. The result is
 * a scalar for one threshold, else one value per threshold.
 */
export abstract class ConfusionMatrixConditionCount extends Metric {
  readonly thresholds: number[];
  readonly accumulator: Variable;
  private readonly initThresholds: number | number[] | null;
  private readonly evenly: boolean;
  protected abstract readonly condition: keyof ConfusionVariables;

  constructor(args: ConfusionCountArgs, defaultName: string) {
    const { thresholds = null, ...base } = args;
    super({ ...base, name: base.name ?? defaultName });
    this.initThresholds = thresholds;
    this.thresholds = parseInitThresholds(this.constructor.name, thresholds, 0.5);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    this.accumulator = this.addVariable({ name: 'accumulator', shape: [this.thresholds.length] });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      updateConfusionMatrixVariables(this.constructor.name, { [this.condition]: this.accumulator }, yTrue, yPred as TensorLike, {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        sampleWeight,
      });
    });
  }

  result(): Tensor {
    return tidy(() => scalarIfSingle(ops.identity(this.accumulator.value)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), thresholds: this.initThresholds };
  }
}
