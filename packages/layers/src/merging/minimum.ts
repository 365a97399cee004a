import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge } from './merge';

/**
 * `keras.layers.Minimum`: the elementwise minimum of its inputs (shapes broadcast as in Keras' Merge).
 * Masked entries of an input never win over another input's kept entries; the output mask is
 * the OR of the input masks.
 */
export class Minimum extends Merge {
  static override className = 'Minimum';

  protected mergeFunction(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    return this.applyMergeOpAndOrMask(ops.minimum, inputs, masks);
  }
}
registerClass('layer', Minimum, { module: 'keras.layers', className: 'Minimum' });
