import {
  type Config,
  type DataType,
  type LossLike,
  type Reduction,
  type Tensor,
  type TensorLike,
  convertToTensor,
  ops,
  tidy,
  toSnakeCase,
} from '@strata/core';
import { camelizeConfig } from './config';
import { reduceWeightedValues, standardizeReduction } from './reduction';

export interface LossArgs {
  name?: string;
  /** `'sum_over_batch_size'` (default), `'sum'`, `'mean'`, `'mean_with_sample_weight'`, `'none'` or null. */
  reduction?: Reduction;
  /** The dtype of the computation (default float32). */
  dtype?: DataType | null;
}

/**
 * Base of keras.losses (Keras 3's `Loss`). Subclasses implement `call(yTrue, yPred)`, returning
 * the per-sample loss; `apply(yTrue, yPred, sampleWeight?)` converts the inputs to the loss dtype,
 * weights the per-sample values (sample weights are squeezed/expanded to their rank) and reduces
 * them (Python's `loss(y_true, y_pred, sample_weight)`).
 */
export abstract class Loss implements LossLike {
  name: string;
  reduction: Reduction;
  readonly dtype: DataType;

  constructor(args: LossArgs = {}) {
    this.name = args.name ?? toSnakeCase(new.target.name);
    this.reduction = standardizeReduction(args.reduction);
    // A Keras dtype policy dict ({class_name: 'DTypePolicy', config: {name}}) is read as its name.
    const dtype = args.dtype as unknown;
    this.dtype =
      dtype != null && typeof dtype === 'object'
        ? ((((dtype as Config)['config'] as Config | undefined)?.['name'] as DataType | undefined) ?? 'float32')
        : ((dtype as DataType | null | undefined) ?? 'float32');
  }

  /** The per-sample loss (the batch axis kept, usually the last axis reduced). */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /**
   * A mask of the valid entries of `call`'s output, or null (Keras reads it from the output's
   * `_keras_mask`; e.g. `ignoreClass` of SparseCategoricalCrossentropy).
   */
  protected computeMask(_yTrue: Tensor, _yPred: Tensor): Tensor | null {
    return null;
  }

  /**
   * The reduced, weighted loss. `mask` (e.g. the mask of a masked model output) is combined with
   * the loss's own mask and merged into the sample weights as Keras does.
   */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, mask?: Tensor | null): Tensor {
    return tidy(() => {
      const yp = convertToTensor(yPred, this.dtype);
      const yt = convertToTensor(yTrue, this.dtype);
      const losses = this.call(yt, yp);
      const own = this.computeMask(yt, yp);
      let m: Tensor | null = null;
      if (mask != null && own != null) m = ops.logicalAnd(ops.cast(mask, 'bool'), ops.cast(own, 'bool'));
      else m = mask ?? own;
      const sw = sampleWeight == null ? null : convertToTensor(sampleWeight, this.dtype);
      return reduceWeightedValues(losses, sw, m, this.reduction, this.dtype);
    });
  }

  getConfig(): Config {
    return { name: this.name, reduction: this.reduction };
  }

  /** Rebuilds a loss from its Keras config (snake_case keys; tf.keras' reduction `'auto'` is read as the default). */
  static fromConfig<T extends Loss>(this: new (args: never) => T, config: Config): T {
    const c: Config = { ...config };
    if (c['reduction'] === 'auto') c['reduction'] = 'sum_over_batch_size';
    return new this(camelizeConfig(c) as never);
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}>`;
  }
}
