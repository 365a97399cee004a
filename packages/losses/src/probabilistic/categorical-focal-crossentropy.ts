import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type CategoricalFocalCrossentropyOptions, categoricalFocalCrossentropy } from './functions';

export interface CategoricalFocalCrossentropyArgs extends LossArgs, CategoricalFocalCrossentropyOptions {}

/**
 * keras.losses.CategoricalFocalCrossentropy (alpha 0.25, gamma 2, fromLogits false, labelSmoothing
 * 0, axis -1): the alpha-balanced focal crossentropy for one-hot labels, then reduced. `alpha` may
 * be one weight per class.
 */
export class CategoricalFocalCrossentropy extends LossFunctionWrapper<CategoricalFocalCrossentropyOptions> {
  readonly alpha: number | number[];
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: CategoricalFocalCrossentropyArgs = {}) {
    const { alpha = 0.25, gamma = 2, fromLogits = false, labelSmoothing = 0, axis = -1, ...base } = args;
    super(categoricalFocalCrossentropy, {
      ...base,
      name: base.name ?? 'categorical_focal_crossentropy',
      fnOptions: { alpha, gamma, fromLogits, labelSmoothing, axis },
    });
    this.alpha = alpha;
    this.gamma = gamma;
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }

  override getConfig(): Config {
    return {
      ...Loss.prototype.getConfig.call(this),
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
      alpha: Array.isArray(this.alpha) ? [...this.alpha] : this.alpha,
      gamma: this.gamma,
    };
  }
}

registerClass('loss', CategoricalFocalCrossentropy, { module: 'keras.losses', className: 'CategoricalFocalCrossentropy' });
registerIdentifier(
  'loss',
  ['categorical_focal_crossentropy', 'CategoricalFocalCrossentropy'],
  () => new CategoricalFocalCrossentropy(),
);
