import { type DataType, type Tensor, ops } from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';

/**
 * Keras' `reduce_to_samplewise_values`: weights `values` and reduces them (and the weights) to one
 * value per sample with `reduce` ('sum' or 'mean') over the non-batch axes. Call inside `tidy`.
 */
export function reduceToSamplewiseValues(
  values: Tensor,
  sampleWeight: Tensor | null,
  reduce: 'sum' | 'mean',
  dtype: DataType,
): [Tensor, Tensor | null] {
  const fn = reduce === 'sum' ? ops.sum : ops.mean;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  let v = ops.cast(values, dtype);
  let sw: Tensor | null = null;
  if (sampleWeight != null) {
    sw = ops.cast(sampleWeight, dtype);
    [v, sw] = squeezeOrExpandToSameRank(v, sw);
    const wRank = sw.rank;
    if (v.rank > wRank) v = fn(v, range(wRank, v.rank));
    sw = ops.broadcastTo(sw, v.shape);
    v = ops.multiply(v, sw);
    if (wRank > 1) sw = fn(sw, range(1, wRank));
  }
  if (v.rank > 1) v = fn(v, range(1, v.rank));
  return [v, sw];
}
