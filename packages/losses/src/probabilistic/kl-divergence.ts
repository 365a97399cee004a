import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { klDivergence } from './functions';

/** keras.losses.KLDivergence: `sum(yTrue * log(yTrue / yPred))` over the last axis (both clipped to [eps, 1]), then reduced. */
export class KLDivergence extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(klDivergence, { ...args, name: args.name ?? 'kl_divergence' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', KLDivergence, { module: 'keras.losses', className: 'KLDivergence' });
registerIdentifier('loss', ['kl_divergence', 'kld', 'KLD', 'kullback_leibler_divergence', 'KLDivergence'], () => new KLDivergence());
