import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type CrossentropyOptions, binaryCrossentropy } from './functions';

export interface BinaryCrossentropyArgs extends LossArgs, CrossentropyOptions {}

/**
 * keras.losses.BinaryCrossentropy (fromLogits false, labelSmoothing 0, axis -1): the binary
 * crossentropy averaged over `axis`, then reduced over the batch.
 */
export class BinaryCrossentropy extends LossFunctionWrapper<CrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: BinaryCrossentropyArgs = {}) {
    const { fromLogits = false, labelSmoothing = 0, axis = -1, ...base } = args;
    super(binaryCrossentropy, { ...base, name: base.name ?? 'binary_crossentropy', fnOptions: { fromLogits, labelSmoothing, axis } });
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

registerClass('loss', BinaryCrossentropy, { module: 'keras.losses', className: 'BinaryCrossentropy' });
registerIdentifier('loss', ['binary_crossentropy', 'bce', 'BCE', 'BinaryCrossentropy'], () => new BinaryCrossentropy());
