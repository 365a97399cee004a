import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type CrossentropyOptions, categoricalCrossentropy } from './functions';

export interface CategoricalCrossentropyArgs extends LossArgs, CrossentropyOptions {}

/**
 * keras.losses.CategoricalCrossentropy (fromLogits false, labelSmoothing 0, axis -1) for one-hot
 * labels.
 */
export class CategoricalCrossentropy extends LossFunctionWrapper<CrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: CategoricalCrossentropyArgs = {}) {
    const { fromLogits = false, labelSmoothing = 0, axis = -1, ...base } = args;
    super(categoricalCrossentropy, {
      ...base,
      name: base.name ?? 'categorical_crossentropy',
      fnOptions: { fromLogits, labelSmoothing, axis },
    });
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
    };
  }
}

registerClass('loss', CategoricalCrossentropy, { module: 'keras.losses', className: 'CategoricalCrossentropy' });
registerIdentifier('loss', ['categorical_crossentropy', 'CategoricalCrossentropy'], () => new CategoricalCrossentropy());
