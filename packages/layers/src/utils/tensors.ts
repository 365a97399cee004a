import { type Tensor, ops } from '@strata/core';

/** Casts non-float inputs (ints from nested arrays, bools) to float32 for a layer's math. */
export function toFloat(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : ops.cast(x, 'float32');
}
