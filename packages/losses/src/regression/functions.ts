import { type Tensor, type TensorLike, ValueError, convertToTensor, epsilon, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';
import { squeezeOrExpandToSameRank } from '../reduction';
import { assertBroadcastable } from '../shapes';

function prepare(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const yp = convertToTensor(yPred);
  const yt = convertToTensor(yTrue, yp.dtype);
  const pair = squeezeOrExpandToSameRank(yt, yp);
  assertBroadcastable(name, pair[0], pair[1]);
  return pair;
}

/** keras.losses.mean_squared_error: `mean(square(yTrue - yPred), axis=-1)` per sample. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('mean_squared_error', yTrue, yPred);
    return ops.mean(ops.square(ops.subtract(yt, yp)), -1);
  });
}

/** keras.losses.mean_absolute_error: `mean(abs(yTrue - yPred), axis=-1)` per sample. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('mean_absolute_error', yTrue, yPred);
    return ops.mean(ops.abs(ops.subtract(yt, yp)), -1);
  });
}

/**
 * keras.losses.mean_absolute_percentage_error:
 * `100 * mean(abs((yTrue - yPred) / max(abs(yTrue), eps)), axis=-1)`; the epsilon floor keeps zero
 * targets finite (a zero target with a non-zero prediction gives a huge but finite value).
 */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('mean_absolute_percentage_error', yTrue, yPred);
    const diff = ops.abs(ops.divide(ops.subtract(yt, yp), ops.maximum(ops.abs(yt), epsilon())));
    return ops.multiply(ops.mean(diff, -1), 100);
  });
}

/**
 * keras.losses.mean_squared_logarithmic_error:
 * `mean(square(log(max(yPred, eps) + 1) - log(max(yTrue, eps) + 1)), axis=-1)`.
 */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('mean_squared_logarithmic_error', yTrue, yPred);
    const eps = epsilon();
    const a = ops.log(ops.add(ops.maximum(yp, eps), 1));
    const b = ops.log(ops.add(ops.maximum(yt, eps), 1));
    return ops.mean(ops.square(ops.subtract(a, b)), -1);
  });
}

/**
 * Keras' `normalize(x, axis)` with order 2: `x / max(norm(x), eps)` (a zero vector stays zero).
 */
export function l2Normalize(x: Tensor, axis: number): Tensor {
  return tidy(() => {
    const norm = ops.sqrt(ops.sum(ops.square(x), axis, true));
    return ops.divide(x, ops.maximum(norm, epsilon()));
  });
}

export interface AxisOptions {
  /** The feature axis. Default -1. */
  axis?: number;
}

function checkAxis(axis: unknown): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ValueError(`\`axis\` must be of type \`int\`. Received: axis=${String(axis)}`);
  }
  return axis;
}

/**
 * keras.losses.cosine_similarity: `-sum(l2Normalize(yTrue) * l2Normalize(yPred), axis)`, between -1
 * (same direction) and 1; 0 when either vector is zero.
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, opts?: AxisOptions): Tensor {
  const axis = checkAxis(opts?.axis ?? -1);
  return tidy(() => {
    const [yt, yp] = prepare('cosine_similarity', yTrue, yPred);
    return ops.negative(ops.sum(ops.multiply(l2Normalize(yt, axis), l2Normalize(yp, axis)), axis));
  });
}

export interface HuberOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/**
 * keras.losses.huber: per element `0.5 * x^2` where `|x| <= delta`, else
 * `delta * |x| - 0.5 * delta^2` (x = yPred - yTrue), averaged over the last axis.
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, opts?: HuberOptions): Tensor {
  const delta = opts?.delta ?? 1;
  if (typeof delta !== 'number' || !Number.isFinite(delta)) {
    throw new ValueError(`huber: \`delta\` must be a finite number. Received: delta=${String(delta)}`);
  }
  return tidy(() => {
    const [yt, yp] = prepare('huber', yTrue, yPred);
    const error = ops.subtract(yp, yt);
    const absError = ops.abs(error);
    const quadratic = ops.multiply(ops.square(error), 0.5);
    const linear = ops.subtract(ops.multiply(absError, delta), 0.5 * delta * delta);
    return ops.mean(ops.where(ops.lessEqual(absError, delta), quadratic, linear), -1);
  });
}

/**
 * keras.losses.log_cosh: `mean(log(cosh(yPred - yTrue)), axis=-1)`, computed as
 * `x + softplus(-2x) - log(2)` so that large errors do not overflow `cosh`.
 */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('log_cosh', yTrue, yPred);
    const x = ops.subtract(yp, yt);
    return ops.mean(ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2))), Math.LN2), -1);
  });
}

registerLossFunction('mean_squared_error', meanSquaredError);
registerLossFunction('mean_absolute_error', meanAbsoluteError);
registerLossFunction('mean_absolute_percentage_error', meanAbsolutePercentageError);
registerLossFunction('mean_squared_logarithmic_error', meanSquaredLogarithmicError);
registerLossFunction('cosine_similarity', cosineSimilarity);
registerLossFunction('huber', huber);
registerLossFunction('log_cosh', logCosh);
