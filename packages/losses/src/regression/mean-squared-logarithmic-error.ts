import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { meanSquaredLogarithmicError } from './functions';

/** keras.losses.MeanSquaredLogarithmicError: `mean(square(log(yTrue + 1) - log(yPred + 1)))` per sample, then reduced. */
export class MeanSquaredLogarithmicError extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(meanSquaredLogarithmicError, { ...args, name: args.name ?? 'mean_squared_logarithmic_error' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', MeanSquaredLogarithmicError, { module: 'keras.losses', className: 'MeanSquaredLogarithmicError' });
registerIdentifier('loss', ['mean_squared_logarithmic_error', 'msle', 'MSLE', 'MeanSquaredLogarithmicError'], () => new MeanSquaredLogarithmicError());
