import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { meanAbsoluteError } from './functions';

/** keras.losses.MeanAbsoluteError: `mean(abs(yTrue - yPred))` over the last axis, then reduced. */
export class MeanAbsoluteError extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(meanAbsoluteError, { ...args, name: args.name ?? 'mean_absolute_error' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', MeanAbsoluteError, { module: 'keras.losses', className: 'MeanAbsoluteError' });
registerIdentifier('loss', ['mean_absolute_error', 'mae', 'MAE', 'MeanAbsoluteError'], () => new MeanAbsoluteError());
