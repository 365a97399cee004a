import { ops, registerClass, type Tensor, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import type { DataFormat } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalAveragePooling1DArgs = GlobalPoolingArgs;

/**
 * `keras.layers.GlobalAveragePooling1D`: the mean over the steps of each channel; with a mask
 * `(batch, steps)`, the mean over the unmasked steps only. It consumes the mask.
 */
export class GlobalAveragePooling1D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling1D';
  protected readonly mode: PoolMode = 'average';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalAveragePooling1DArgs, 'dataFormat'>);
  constructor(args?: GlobalAveragePooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
    this.supportsMasking = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const mask = args.mask as Tensor | null | undefined;
    if (mask == null) return super.call(inputs, args);
    return tidy(() => {
      const x = toFloat(inputs as Tensor);
      const last = this.dataFormat === 'channels_last';
      const m = ops.expandDims(ops.cast(mask, x.dtype), last ? 2 : 1);
      const axis = last ? 1 : 2;
      return ops.divide(ops.sum(ops.multiply(x, m), axis, this.keepdims), ops.sum(m, axis, this.keepdims));
    });
  }

  override computeMask(): null {
    return null;
  }
}
registerClass('layer', GlobalAveragePooling1D, { module: 'keras.layers', className: 'GlobalAveragePooling1D' });
