import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/** `keras.layers.Add`: the sum of its inputs (shapes broadcast as in Keras' Merge). */
export class Add extends Merge {
  static override className = 'Add';

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return fold(inputs, ops.add);
  }
}
registerClass('layer', Add, { module: 'keras.layers', className: 'Add' });
