import { type Config, type Tensor, registerClass, tidy } from '@strata/core';
import { type SensitivitySpecificityArgs, SensitivitySpecificityBase } from './sensitivity-specificity-base';

export interface SensitivityAtSpecificityArgs extends SensitivitySpecificityArgs {
  /** The constraint, in [0, 1]. */
  specificity: number;
}

/** keras.metrics.SensitivityAtSpecificity: the best sensitivity (recall) where the specificity is >= `specificity`, over `numThresholds` thresholds. */
export class SensitivityAtSpecificity extends SensitivitySpecificityBase {
  readonly specificity: number;

  constructor(args: SensitivityAtSpecificityArgs) {
    const { specificity, ...rest } = args ?? ({} as SensitivityAtSpecificityArgs);
    super('SensitivityAtSpecificity', 'specificity', specificity, rest, 'sensitivity_at_specificity');
    this.specificity = specificity;
  }

  result(): Tensor {
    return tidy(() => this.maxUnderConstraint(this.specificities(), this.recalls()));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), num_thresholds: this.numThresholds, specificity: this.specificity };
  }
}

registerClass('metric', SensitivityAtSpecificity, { module: 'keras.metrics', className: 'SensitivityAtSpecificity' });
