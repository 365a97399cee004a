import { type Tensor, ops, registerClass } from '@strata/core';
import { Merge, fold } from './merge';

/**
 * `keras.layers.Multiply`: the elementwise product of its inputs (shapes broadcast as in Keras'
 * Merge). As in Keras, a masked entry counts as 1 (it does not zero the product); when every
 * input has a mask, entries masked in all of them are 0 and the output mask is the OR.
 */
export class Multiply extends Merge {
  static override className = 'Multiply';

  protected mergeFunction(inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    if (masks.every((m) => m == null)) return fold(inputs, ops.multiply);
    const everyMasked = masks.every((m) => m != null);
    let outputMask: Tensor | null = null;
    const factors = inputs.map((x, i) => {
      if (masks[i] == null) return x;
      const mask = this.broadcastMask(masks[i]!, x);
      if (everyMasked) outputMask = outputMask == null ? mask : ops.logicalOr(outputMask, mask);
      return ops.where(mask, x, 1);
    });
    const product = fold(factors, ops.multiply);
    return outputMask == null ? product : ops.where(outputMask, product, 0);
  }
}
registerClass('layer', Multiply, { module: 'keras.layers', className: 'Multiply' });
