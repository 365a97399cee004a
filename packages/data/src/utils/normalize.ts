import { type Tensor, ValueError, epsilon, isTensor, ops, tidy } from '@strata/core';

export interface NormalizeOptions {
  /** Axis along which to normalize (default -1). */
  axis?: number;
  /** Order of the norm (default 2, the L2 norm); an integer >= 1. */
  order?: number;
}

/** A nested array of numbers (a host-side "NumPy array"). */
export type NestedNumbers = number | NestedNumbers[];

function shapeOf(x: NestedNumbers): number[] {
  const shape: number[] = [];
  let cur: NestedNumbers = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedNumbers;
  }
  return shape;
}

function flatten(x: NestedNumbers, out: number[]): void {
  if (Array.isArray(x)) for (const v of x) flatten(v, out);
  else out.push(x);
}

function unflatten(flat: number[], shape: number[], offset = 0, dim = 0): NestedNumbers {
  if (dim === shape.length) return flat[offset]!;
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[dim]! }, (_, i) => unflatten(flat, shape, offset + i * stride, dim + 1));
}

/**
 * `keras.utils.normalize`: divides `x` by its `order`-norm along `axis`.
 *
 * - A tensor gives a tensor, as `keras.ops.normalize`: `x / max(norm, epsilon)` (for order 2,
 *   `x * min(rsqrt(sum(x^2)), 1 / epsilon)`).
 * - A nested number array gives a nested number array computed in float64, as Keras' NumPy branch:
 *   `x / norm` where a zero norm is replaced by 1.
 */
export function normalize(x: Tensor, options?: NormalizeOptions): Tensor;
export function normalize(x: NestedNumbers, options?: NormalizeOptions): NestedNumbers;
export function normalize(x: Tensor | NestedNumbers, options: NormalizeOptions = {}): Tensor | NestedNumbers {
  const { axis = -1, order = 2 } = options;
  if (!Number.isInteger(order) || order < 1) {
    throw new ValueError(`normalize: argument \`order\` must be an int >= 1. Received: order=${order}`);
  }
  if (isTensor(x)) {
    const rank = Math.max(1, x.rank);
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new ValueError(`normalize: \`axis\` ${axis} is out of range for a tensor of rank ${rank}.`);
    }
    return tidy(() => {
      const t = x.rank === 0 ? ops.expandDims(x, 0) : x;
      const xf = t.dtype === 'float32' ? t : ops.cast(t, 'float32');
      const eps = epsilon();
      if (order === 2) {
        const inv = ops.minimum(ops.rsqrt(ops.sum(ops.square(xf), axis, true)), 1 / eps);
        return ops.multiply(xf, inv);
      }
      const norm = ops.power(ops.sum(ops.power(ops.abs(xf), order), axis, true), 1 / order);
      return ops.divide(xf, ops.maximum(norm, eps));
    });
  }
  const shape = shapeOf(x);
  const rank = Math.max(1, shape.length);
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(`normalize: \`axis\` ${axis} is out of range for an array of rank ${rank}.`);
  }
  const flat: number[] = [];
  flatten(x, flat);
  const fullShape = shape.length === 0 ? [1] : shape;
  const ax = axis < 0 ? axis + rank : axis;
  const n = fullShape[ax]!;
  const inner = fullShape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const outer = flat.length / (n * inner || 1);
  const out = flat.slice();
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += Math.abs(flat[(o * n + k) * inner + i]!) ** order;
      let norm = acc ** (1 / order);
      if (norm === 0) norm = 1;
      for (let k = 0; k < n; k++) out[(o * n + k) * inner + i] = flat[(o * n + k) * inner + i]! / norm;
    }
  }
  return unflatten(out, fullShape);
}
