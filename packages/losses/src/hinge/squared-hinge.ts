import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { squaredHinge } from './functions';

/** keras.losses.SquaredHinge: `mean(square(maximum(1 - yTrue * yPred, 0)))` over the last axis (0/1 labels become -1/1), then reduced. */
export class SquaredHinge extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(squaredHinge, { ...args, name: args.name ?? 'squared_hinge' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', SquaredHinge, { module: 'keras.losses', className: 'SquaredHinge' });
registerIdentifier('loss', ['squared_hinge', 'SquaredHinge'], () => new SquaredHinge());
