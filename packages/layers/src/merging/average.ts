import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/** `keras.layers.Average`: the elementwise mean of its inputs (shapes broadcast as in Keras' Merge). */
export class Average extends Merge {
  static override className = 'Average';

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return ops.divide(fold(inputs, ops.add), inputs.length);
  }
}
registerClass('layer', Average, { module: 'keras.layers', className: 'Average' });
