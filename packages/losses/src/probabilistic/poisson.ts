import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { poisson } from './functions';

/** keras.losses.Poisson: `mean(yPred - yTrue * log(yPred + eps))` over the last axis, then reduced. */
export class Poisson extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(poisson, { ...args, name: args.name ?? 'poisson' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', Poisson, { module: 'keras.losses', className: 'Poisson' });
registerIdentifier('loss', ['poisson', 'Poisson'], () => new Poisson());
