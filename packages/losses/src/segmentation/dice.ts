import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type DiceOptions, type ReductionAxes, dice } from './functions';

export interface DiceArgs extends LossArgs, DiceOptions {}

/**
 * keras.losses.Dice (axis null): `1 - 2 * |yTrue ∩ yPred| / (|yTrue| + |yPred|)` over `axis`
 * (by default the whole batch, one scalar), then reduced.
 */
export class Dice extends LossFunctionWrapper<DiceOptions> {
  readonly axis: ReductionAxes;

  constructor(args: DiceArgs = {}) {
    const { axis = null, ...base } = args;
    super(dice, { ...base, name: base.name ?? 'dice', fnOptions: { axis } });
    this.axis = axis;
  }

  override getConfig(): Config {
    return { ...Loss.prototype.getConfig.call(this), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}

registerClass('loss', Dice, { module: 'keras.losses', className: 'Dice' });
registerIdentifier('loss', ['dice', 'Dice'], () => new Dice());
