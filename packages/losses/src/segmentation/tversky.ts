import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type ReductionAxes, type TverskyOptions, tversky } from './functions';

export interface TverskyArgs extends LossArgs, TverskyOptions {}

/**
 * keras.losses.Tversky (alpha 0.5, beta 0.5, axis null): the Tversky index loss, with `alpha`
 * and `beta` weighting the two kinds of error (0.5/0.5 is the Dice loss), then reduced.
 */
export class Tversky extends LossFunctionWrapper<TverskyOptions> {
  readonly alpha: number;
  readonly beta: number;
  readonly axis: ReductionAxes;

  constructor(args: TverskyArgs = {}) {
    const { alpha = 0.5, beta = 0.5, axis = null, ...base } = args;
    super(tversky, { ...base, name: base.name ?? 'tversky', fnOptions: { alpha, beta, axis } });
    this.alpha = alpha;
    this.beta = beta;
    this.axis = axis;
  }

  override getConfig(): Config {
    return {
      ...Loss.prototype.getConfig.call(this),
      alpha: this.alpha,
      beta: this.beta,
      axis: Array.isArray(this.axis) ? [...this.axis] : this.axis,
    };
  }
}

registerClass('loss', Tversky, { module: 'keras.losses', className: 'Tversky' });
registerIdentifier('loss', ['tversky', 'Tversky'], () => new Tversky());
