import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { meanAbsolutePercentageError } from './functions';

/** keras.losses.MeanAbsolutePercentageError: `100 * mean(abs((yTrue - yPred) / yTrue))` per sample, then reduced. */
export class MeanAbsolutePercentageError extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(meanAbsolutePercentageError, { ...args, name: args.name ?? 'mean_absolute_percentage_error' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', MeanAbsolutePercentageError, { module: 'keras.losses', className: 'MeanAbsolutePercentageError' });
registerIdentifier('loss', ['mean_absolute_percentage_error', 'mape', 'MAPE', 'MeanAbsolutePercentageError'], () => new MeanAbsolutePercentageError());
