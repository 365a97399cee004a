import { type Config, type Tensor, registerClass, tidy } from '@strata/core';
import { type SensitivitySpecificityArgs, SensitivitySpecificityBase } from './sensitivity-specificity-base';

export interface RecallAtPrecisionArgs extends SensitivitySpecificityArgs {
  /** The constraint, in [0, 1]. */
  precision: number;
}

/** keras.metrics.RecallAtPrecision: the best recall where the precision is >= `precision` (0 when no threshold reaches it), over `numThresholds` thresholds. */
export class RecallAtPrecision extends SensitivitySpecificityBase {
  readonly precision: number;

  constructor(args: RecallAtPrecisionArgs) {
    const { precision, ...rest } = args ?? ({} as RecallAtPrecisionArgs);
    super('RecallAtPrecision', 'precision', precision, rest, 'recall_at_precision');
    this.precision = precision;
  }

  result(): Tensor {
    return tidy(() => this.maxUnderConstraint(this.precisions(), this.recalls()));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), num_thresholds: this.numThresholds, precision: this.precision };
  }
}

registerClass('metric', RecallAtPrecision, { module: 'keras.metrics', className: 'RecallAtPrecision' });
