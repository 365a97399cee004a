import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { categoricalHinge } from './functions';

/** keras.losses.CategoricalHinge: `maximum(max((1 - yTrue) * yPred) - sum(yTrue * yPred) + 1, 0)` per sample, then reduced. */
export class CategoricalHinge extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(categoricalHinge, { ...args, name: args.name ?? 'categorical_hinge' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', CategoricalHinge, { module: 'keras.losses', className: 'CategoricalHinge' });
registerIdentifier('loss', ['categorical_hinge', 'CategoricalHinge'], () => new CategoricalHinge());
