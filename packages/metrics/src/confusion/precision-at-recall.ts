import { type Config, type Tensor, registerClass, tidy } from '@strata/core';
import { type SensitivitySpecificityArgs, SensitivitySpecificityBase } from './sensitivity-specificity-base';

export interface PrecisionAtRecallArgs extends SensitivitySpecificityArgs {
  /** The constraint, in [0, 1]. */
  recall: number;
}

/** keras.metrics.PrecisionAtRecall: the best precision where the recall is >= `recall`, over `numThresholds` thresholds. */
export class PrecisionAtRecall extends SensitivitySpecificityBase {
  readonly recall: number;

  constructor(args: PrecisionAtRecallArgs) {
    const { recall, ...rest } = args ?? ({} as PrecisionAtRecallArgs);
    super('PrecisionAtRecall', 'recall', recall, rest, 'precision_at_recall');
    this.recall = recall;
  }

  result(): Tensor {
    return tidy(() => this.maxUnderConstraint(this.recalls(), this.precisions()));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), num_thresholds: this.numThresholds, recall: this.recall };
  }
}

registerClass('metric', PrecisionAtRecall, { module: 'keras.metrics', className: 'PrecisionAtRecall' });
