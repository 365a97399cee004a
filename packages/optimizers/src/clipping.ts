import { type Tensor, ops } from '@strata/core';

/**
 * Scales `g` so that its L2 norm is at most `clipnorm` (Keras' `_clip_by_norm`):
 * `g * clipnorm / max(||g||, clipnorm)`. Call inside `tidy`.
 */
export function clipByNorm(g: Tensor, clipnorm: number): Tensor {
  const axes = [...Array(g.rank).keys()];
  const l2sum = ops.sum(ops.square(g), axes, true);
  const positive = ops.greater(l2sum, 0);
  // Two-sided where keeps the gradient of sqrt finite at 0.
  const safe = ops.where(positive, l2sum, ops.onesLike(l2sum));
  const l2norm = ops.where(positive, ops.sqrt(safe), l2sum);
  return ops.divide(ops.multiply(g, clipnorm), ops.maximum(l2norm, clipnorm));
}

/** The L2 norm of all `tensors` together (a float32 scalar). Call inside `tidy`. */
export function globalNorm(tensors: Tensor[]): Tensor {
  const squared = tensors.map((t) => ops.sum(ops.square(t)));
  return ops.sqrt(ops.sum(ops.stack(squared)));
}

/**
 * Scales all `tensors` by `clipnorm / max(globalNorm, clipnorm)` (Keras' `clip_by_global_norm`;
 * a non-finite norm makes every result NaN). Call inside `tidy`.
 */
export function clipByGlobalNorm(tensors: Tensor[], clipnorm: number): Tensor[] {
  const norm = globalNorm(tensors);
  const scaleForFinite = ops.multiply(clipnorm, ops.minimum(ops.divide(1, norm), 1 / clipnorm));
  const scale = ops.add(scaleForFinite, ops.subtract(norm, norm));
  return tensors.map((t) => ops.multiply(t, scale));
}
