import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge } from './merge';

/**
 * `keras.layers.Maximum`: the elementwise maximum of its inputs (shapes broadcast as in Keras' Merge).
 * Masked entries of an input never win over another input's kept entries; the output mask is
 * the OR of the input masks.
 */
export class Maximum extends Merge {
  static override className = 'Maximum';

  protected mergeFunction(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    return this.applyMergeOpAndOrMask(ops.maximum, inputs, masks);
  }
}
registerClass('layer', Maximum, { module: 'keras.layers', className: 'Maximum' });
