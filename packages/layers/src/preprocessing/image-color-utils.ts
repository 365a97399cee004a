import { kerasFactor } from './random-image';
import { type Seed, type Tensor, ValueError, formatShape, ops, random } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { imageAxes } from './image-utils';

/** Checks an image input (rank 3 or 4) and returns its channel axis. */
export function channelAxis(layer: string, x: Tensor, dataFormat: DataFormat): number {
  const [hAxis] = imageAxes(layer, x.shape, dataFormat);
  return dataFormat === 'channels_first' ? hAxis - 1 : x.rank - 1;
}

/** Checks an RGB image input (3 channels); returns the channel axis. */
export function checkRgb(layer: string, x: Tensor, dataFormat: DataFormat): number {
  const axis = channelAxis(layer, x, dataFormat);
  if (x.shape[axis] !== 3) {
    throw new ValueError(`${layer}: expected 3 (RGB) channels on axis ${axis}, but received input shape ${formatShape(x.shape)}.`);
  }
  return axis;
}

/** `rgb_to_grayscale` (TF weights 0.2989, 0.5870, 0.1140), keeping a channel axis of size 1. */
export function rgbToGrayscale(layer: string, x: Tensor, dataFormat: DataFormat): Tensor {
  const axis = checkRgb(layer, x, dataFormat);
  const wShape = x.shape.map((_, i) => (i === axis ? 3 : 1));
  const w = ops.reshape(ops.cast(ops.arange(0, 3), 'float32'), wShape);
  const weights = ops.add(ops.add(ops.multiply(ops.equal(w, 0), 0.2989), ops.multiply(ops.equal(w, 1), 0.587)), ops.multiply(ops.equal(w, 2), 0.114));
  const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
  return ops.sum(ops.multiply(xf, weights), axis, true);
}

/** Keras `_transform_value_range`: maps `[lo, hi]` linearly onto `[lo2, hi2]`. */
export function transformValueRange(x: Tensor, from: [number, number], to: [number, number]): Tensor {
  if (from[0] === to[0] && from[1] === to[1]) return x;
  return ops.add(ops.multiply(ops.divide(ops.subtract(x, from[0]), from[1] - from[0]), to[1] - to[0]), to[0]);
}

/** The (batch, 1, 1, 1) (or (1, 1, 1)) shape of per-image draws. */
export function perImageShape(x: Tensor): number[] {
  return x.rank === 4 ? [x.shape[0]!, 1, 1, 1] : [1, 1, 1];
}

/** Keras' per-image apply decision: `U[0, 1) < p` with `p ~ U[lo, hi]`. */
export function applyMask(x: Tensor, lo: number, hi: number, seed: Seed): Tensor {
  const shape = perImageShape(x);
  const p = lo === hi ? ops.full(shape, lo) : random.uniform(shape, lo, hi, { seed });
  return ops.less(random.uniform(shape, 0, 1, { seed }), p);
}

/** tf.image.rgb_to_hsv on the channel axis `axis` (values in [0, 1]). */
export function rgbToHsv(x: Tensor, axis: number): Tensor {
  const [r, g, b] = ops.unstack(x, axis) as [Tensor, Tensor, Tensor];
  const v = ops.maximum(ops.maximum(r, g), b);
  const mn = ops.minimum(ops.minimum(r, g), b);
  const delta = ops.subtract(v, mn);
  const s = ops.where(ops.greater(v, 0), ops.divide(delta, ops.where(ops.greater(v, 0), v, 1)), 0);
  const safe = ops.where(ops.greater(delta, 0), delta, 1);
  let h = ops.where(
    ops.equal(v, r),
    ops.divide(ops.subtract(g, b), safe),
    ops.where(ops.equal(v, g), ops.add(ops.divide(ops.subtract(b, r), safe), 2), ops.add(ops.divide(ops.subtract(r, g), safe), 4)),
  );
  h = ops.divide(ops.where(ops.greater(delta, 0), h, 0), 6);
  h = ops.where(ops.less(h, 0), ops.add(h, 1), h);
  return ops.stack([h, s, v], axis);
}

/** tf.image.hsv_to_rgb on the channel axis `axis`. */
export function hsvToRgb(x: Tensor, axis: number): Tensor {
  const [h, s, v] = ops.unstack(x, axis) as [Tensor, Tensor, Tensor];
  const dh = ops.multiply(h, 6);
  const dr = ops.clip(ops.subtract(ops.abs(ops.subtract(dh, 3)), 1), 0, 1);
  const dg = ops.clip(ops.subtract(2, ops.abs(ops.subtract(dh, 2))), 0, 1);
  const db = ops.clip(ops.subtract(2, ops.abs(ops.subtract(dh, 4))), 0, 1);
  const oneMinusS = ops.subtract(1, s);
  const channel = (d: Tensor) => ops.multiply(v, ops.add(oneMinusS, ops.multiply(s, d)));
  return ops.stack([channel(dr), channel(dg), channel(db)], axis);
}

/** A factor `f` as the range `[0, f]`, or a pair, each in [0, 1]. */
export function unitFactorRange(layer: string, value: unknown): [number, number] {
  return kerasFactor(layer, 'factor', value, [0, 1]);
}
