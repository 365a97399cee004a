import { type Config, type Tensor, registerClass, tidy } from '@strata/core';
import { type SensitivitySpecificityArgs, SensitivitySpecificityBase } from './sensitivity-specificity-base';

export interface SpecificityAtSensitivityArgs extends SensitivitySpecificityArgs {
  /** The constraint, in [0, 1]. */
  sensitivity: number;
}

/** keras.metrics.SpecificityAtSensitivity: the best specificity where the sensitivity (recall) is >= `sensitivity`, over `numThresholds` thresholds. */
export class SpecificityAtSensitivity extends SensitivitySpecificityBase {
  readonly sensitivity: number;

  constructor(args: SpecificityAtSensitivityArgs) {
    const { sensitivity, ...rest } = args ?? ({} as SpecificityAtSensitivityArgs);
    super('SpecificityAtSensitivity', 'sensitivity', sensitivity, rest, 'specificity_at_sensitivity');
    this.sensitivity = sensitivity;
  }

  result(): Tensor {
    return tidy(() => this.maxUnderConstraint(this.recalls(), this.specificities()));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), num_thresholds: this.numThresholds, sensitivity: this.sensitivity };
  }
}

registerClass('metric', SpecificityAtSensitivity, { module: 'keras.metrics', className: 'SpecificityAtSensitivity' });
