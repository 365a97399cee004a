import { type Tensor, type TensorLike, ValueError, convertToTensor, epsilon, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';
import { assertBroadcastable } from '../shapes';

/** Axes to reduce over: null (every axis, one scalar loss) or one or more axes. */
export type ReductionAxes = number | number[] | null;

export interface DiceOptions {
  /** The axes summed over; null (default) sums everything into one scalar. */
  axis?: ReductionAxes;
}

export interface TverskyOptions extends DiceOptions {
  /** Weight of the false positives. Default 0.5. */
  alpha?: number;
  /** Weight of the false negatives. Default 0.5. */
  beta?: number;
}

function checkAxes(name: string, axis: unknown, rank: number): number[] | null {
  if (axis == null) return null;
  const list = Array.isArray(axis) ? axis : [axis];
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) {
      throw new ValueError(`${name}: \`axis\` must be null or integers in [-${rank}, ${rank}). Received: axis=${JSON.stringify(axis)}`);
    }
  }
  return list as number[];
}

function prepare(name: string, yTrue: TensorLike, yPred: TensorLike, axis: unknown): [Tensor, Tensor, number[] | null] {
  const yp = convertToTensor(yPred);
  const yt = ops.cast(convertToTensor(yTrue), yp.dtype);
  assertBroadcastable(name, yt, yp);
  return [yt, yp, checkAxes(name, axis, Math.max(yt.rank, yp.rank))];
}

/**
 * keras.losses.dice: `1 - 2 * sum(yTrue * yPred) / (sum(yTrue) + sum(yPred) + eps)`, the sums over
 * `axis` (all axes by default, giving a scalar).
 */
export function dice(yTrue: TensorLike, yPred: TensorLike, opts?: DiceOptions): Tensor {
  return tidy(() => {
    const [yt, yp, axis] = prepare('dice', yTrue, yPred, opts?.axis);
    const intersection = ops.sum(ops.multiply(yt, yp), axis);
    const denom = ops.add(ops.add(ops.sum(yt, axis), ops.sum(yp, axis)), epsilon());
    return ops.subtract(1, ops.divide(ops.multiply(intersection, 2), denom));
  });
}

/**
 * keras.losses.tversky: `1 - TP / (TP + alpha * FP + beta * FN + eps)` with
 * `TP = sum(yTrue * yPred)`, `FP = sum((1 - yPred) * yTrue)`, `FN = sum(yPred * (1 - yTrue))` over
 * `axis` (all axes by default). Note Keras' naming: its "FP" term counts missed targets.
 */
export function tversky(yTrue: TensorLike, yPred: TensorLike, opts?: TverskyOptions): Tensor {
  const alpha = opts?.alpha ?? 0.5;
  const beta = opts?.beta ?? 0.5;
  return tidy(() => {
    const [yt, yp, axis] = prepare('tversky', yTrue, yPred, opts?.axis);
    const intersection = ops.sum(ops.multiply(yt, yp), axis);
    const fp = ops.sum(ops.multiply(ops.subtract(1, yp), yt), axis);
    const fn = ops.sum(ops.multiply(yp, ops.subtract(1, yt)), axis);
    const denom = ops.add(ops.add(ops.add(intersection, ops.multiply(fp, alpha)), ops.multiply(fn, beta)), epsilon());
    return ops.subtract(1, ops.divide(intersection, denom));
  });
}

registerLossFunction('dice', dice);
registerLossFunction('tversky', tversky);
