import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/** `keras.layers.Maximum`: the elementwise maximum of its inputs (shapes broadcast as in Keras' Merge). */
export class Maximum extends Merge {
  static override className = 'Maximum';

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return fold(inputs, ops.maximum);
  }
}
registerClass('layer', Maximum, { module: 'keras.layers', className: 'Maximum' });
