import { type DataType, type Reduction, type Tensor, ValueError, ops } from '@strata/core';

export const REDUCTIONS: readonly Reduction[] = ['sum_over_batch_size', 'sum', 'mean', 'mean_with_sample_weight', 'none', null];

/** Keras' `standardize_reduction`: validates a reduction name. */
export function standardizeReduction(reduction: Reduction | undefined): Reduction {
  const r = reduction === undefined ? 'sum_over_batch_size' : reduction;
  if (!REDUCTIONS.includes(r)) {
    throw new ValueError(
      `Invalid value for argument \`reduction\`. Expected one of ${REDUCTIONS.map(String).join(', ')}. Received: reduction=${String(r)}`,
    );
  }
  return r;
}

/**
 * Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by exactly one and the longer
 * tensor's last axis is 1, squeezes it (or, when the other is rank 1 and `expandRank1`, expands
 * the other instead).
 */
export function squeezeOrExpandToSameRank(x1: Tensor, x2: Tensor, expandRank1 = true): [Tensor, Tensor] {
  const r1 = x1.rank;
  const r2 = x2.rank;
  if (r1 === r2) return [x1, x2];
  if (r1 === r2 + 1 && x1.shape[r1 - 1] === 1) {
    if (r2 === 1 && expandRank1) x2 = ops.expandDims(x2, -1);
    else x1 = ops.squeeze(x1, r1 - 1);
  }
  if (r2 === r1 + 1 && x2.shape[r2 - 1] === 1) {
    if (r1 === 1 && expandRank1) x1 = ops.expandDims(x1, -1);
    else x2 = ops.squeeze(x2, r2 - 1);
  }
  return [x1, x2];
}

/**
 * Keras' `reduce_values`: `sum`, or the sum divided by the number of elements
 * (`sum_over_batch_size`, `mean`) or by the sum of the sample weights (`mean_with_sample_weight`).
 * `none`/null, a scalar or an empty 1-D tensor are returned as they are.
 */
export function reduceValues(values: Tensor, sampleWeight: Tensor | null = null, reduction: Reduction = 'sum_over_batch_size'): Tensor {
  if (reduction == null || reduction === 'none' || values.rank === 0 || (values.rank === 1 && values.shape[0] === 0)) {
    return values;
  }
  const loss = ops.sum(values);
  if (reduction === 'sum') return loss;
  if (reduction === 'mean_with_sample_weight' && sampleWeight != null) {
    return ops.divideNoNan(loss, ops.cast(ops.sum(sampleWeight), loss.dtype));
  }
  return values.size > 0 ? ops.divide(loss, values.size) : ops.divideNoNan(loss, ops.zerosLike(loss));
}

/**
 * Keras' `apply_mask`: merges a mask into the sample weights. For `sum_over_batch_size`/`mean`
 * the mask is rescaled by `total / valid`, so the reduction averages over the valid entries only.
 */
export function applyMask(sampleWeight: Tensor | null, mask: Tensor | null, dtype: DataType, reduction: Reduction): Tensor | null {
  if (mask == null) return sampleWeight;
  let m = ops.cast(mask, dtype);
  if (reduction === 'mean' || reduction === 'sum_over_batch_size') {
    const total = ops.cast(ops.full([], m.size, 'float32'), dtype);
    const valid = ops.sum(m);
    m = ops.multiply(m, ops.divideNoNan(total, valid));
  }
  if (sampleWeight == null) return m;
  let sw = ops.cast(sampleWeight, dtype);
  [m, sw] = squeezeOrExpandToSameRank(m, sw);
  return ops.multiply(sw, m);
}

/**
 * Keras' `reduce_weighted_values`: merges `mask` into `sampleWeight`, matches the weight's rank to
 * `values`, weights them and reduces. Call inside `tidy`.
 */
export function reduceWeightedValues(
  values: Tensor,
  sampleWeight: Tensor | null = null,
  mask: Tensor | null = null,
  reduction: Reduction = 'sum_over_batch_size',
  dtype: DataType = 'float32',
): Tensor {
  reduction = standardizeReduction(reduction);
  let v = values.dtype === dtype ? values : ops.cast(values, dtype);
  let sw = applyMask(sampleWeight == null ? null : ops.cast(sampleWeight, dtype), mask, v.dtype, reduction);
  if (sw != null) {
    sw = ops.cast(sw, v.dtype);
    [v, sw] = squeezeOrExpandToSameRank(v, sw);
    v = ops.multiply(v, sw);
  }
  return reduceValues(v, sw, reduction);
}
