import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { hinge } from './functions';

/** keras.losses.Hinge: `mean(maximum(1 - yTrue * yPred, 0))` over the last axis (0/1 labels become -1/1), then reduced. */
export class Hinge extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(hinge, { ...args, name: args.name ?? 'hinge' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', Hinge, { module: 'keras.losses', className: 'Hinge' });
registerIdentifier('loss', ['hinge', 'Hinge'], () => new Hinge());
