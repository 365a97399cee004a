import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/** `keras.layers.Minimum`: the elementwise minimum of its inputs (shapes broadcast as in Keras' Merge). */
export class Minimum extends Merge {
  static override className = 'Minimum';

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return fold(inputs, ops.minimum);
  }
}
registerClass('layer', Minimum, { module: 'keras.layers', className: 'Minimum' });
