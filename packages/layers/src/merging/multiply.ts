import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/** `keras.layers.Multiply`: the elementwise product of its inputs (shapes broadcast as in Keras' Merge). */
export class Multiply extends Merge {
  static override className = 'Multiply';

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return fold(inputs, ops.multiply);
  }
}
registerClass('layer', Multiply, { module: 'keras.layers', className: 'Multiply' });
