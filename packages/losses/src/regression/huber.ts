import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type HuberOptions, huber } from './functions';

export interface HuberArgs extends LossArgs, HuberOptions {}

/**
 * keras.losses.Huber (delta 1, name `huber_loss`): quadratic for errors up to `delta`, linear
 * beyond, averaged over the last axis, then reduced.
 */
export class Huber extends LossFunctionWrapper<HuberOptions> {
  readonly delta: number;

  constructor(args: HuberArgs = {}) {
    const { delta = 1, ...base } = args;
    super(huber, { ...base, name: base.name ?? 'huber_loss', fnOptions: { delta } });
    this.delta = delta;
  }

  // Keras writes `delta` since keras-team/keras#23286; without it a reloaded loss resets to 1.
  override getConfig(): Config {
    return { ...Loss.prototype.getConfig.call(this), delta: this.delta };
  }
}

registerClass('loss', Huber, { module: 'keras.losses', className: 'Huber' });
registerIdentifier('loss', ['huber', 'huber_loss', 'Huber'], () => new Huber());
