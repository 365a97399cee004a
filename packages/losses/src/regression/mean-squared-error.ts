import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { meanSquaredError } from './functions';

/** keras.losses.MeanSquaredError: `mean(square(yTrue - yPred))` over the last axis, then reduced. */
export class MeanSquaredError extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(meanSquaredError, { ...args, name: args.name ?? 'mean_squared_error' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', MeanSquaredError, { module: 'keras.losses', className: 'MeanSquaredError' });
registerIdentifier('loss', ['mean_squared_error', 'mse', 'MSE', 'MeanSquaredError'], () => new MeanSquaredError());
