import { type Config, type Tensor, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type SparseCrossentropyOptions, sparseCategoricalCrossentropy, sparseCategoricalMask } from './functions';

export interface SparseCategoricalCrossentropyArgs extends LossArgs {
  fromLogits?: boolean;
  /** A label to ignore: its entries get loss 0 and are left out of the mean. Default null. */
  ignoreClass?: number | null;
}

/**
 * keras.losses.SparseCategoricalCrossentropy (fromLogits false, ignoreClass null) for integer
 * labels of shape `(N,)` or `(N, 1)`.
 */
export class SparseCategoricalCrossentropy extends LossFunctionWrapper<SparseCrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;

  constructor(args: SparseCategoricalCrossentropyArgs = {}) {
    const { fromLogits = false, ignoreClass = null, ...base } = args;
    super(sparseCategoricalCrossentropy, {
      ...base,
      name: base.name ?? 'sparse_categorical_crossentropy',
      fnOptions: { fromLogits, ignoreClass },
    });
    this.fromLogits = fromLogits;
    this.ignoreClass = ignoreClass;
  }

  protected override computeMask(yTrue: Tensor, yPred: Tensor): Tensor | null {
    return this.ignoreClass == null ? null : sparseCategoricalMask(yTrue, yPred, this.ignoreClass);
  }

  override getConfig(): Config {
    return { ...Loss.prototype.getConfig.call(this), from_logits: this.fromLogits, ignore_class: this.ignoreClass };
  }
}

registerClass('loss', SparseCategoricalCrossentropy, { module: 'keras.losses', className: 'SparseCategoricalCrossentropy' });
registerIdentifier(
  'loss',
  ['sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy'],
  () => new SparseCategoricalCrossentropy(),
);
