import { type Dim, type Shape, type Tensor, ValueError, formatShape, ops, tidy } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { applyAxisMatrix, bilinearMatrix } from '../reshaping/spatial-utils';

export type ResizeInterpolation = 'bilinear' | 'nearest';

/** Checks an image batch (rank 4) or single image (rank 3); returns the (H, W) axes. */
export function imageAxes(layer: string, shape: readonly Dim[], dataFormat: DataFormat): [number, number] {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new ValueError(`${layer}: expected an image batch of rank 4 or an image of rank 3, but received input shape ${formatShape(shape as Dim[])}.`);
  }
  const first = (shape.length === 4 ? 1 : 0) + (dataFormat === 'channels_first' ? 1 : 0);
  return [first, first + 1];
}

/** Index matrix (out x in) of Keras/TF half-pixel 'nearest' resizing: floor((i + 0.5) * in / out). */
export function nearestMatrix(inSize: number, outSize: number): number[][] {
  return Array.from({ length: outSize }, (_, i) => {
    const j = Math.min(Math.floor(((i + 0.5) * inSize) / outSize), inSize - 1);
    return Array.from({ length: inSize }, (_, k) => (k === j ? 1 : 0));
  });
}

/** Resizes axes `hAxis`, `hAxis + 1` to (height, width) with half-pixel centers (tf.image.resize, antialias=False). */
export function resizeImage(x: Tensor, hAxis: number, height: number, width: number, interpolation: ResizeInterpolation): Tensor {
  return tidy(() => {
    let y = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
    const sizes = [height, width];
    for (let i = 0; i < 2; i++) {
      const axis = hAxis + i;
      const inSize = y.shape[axis]!;
      if (inSize === sizes[i]) continue;
      const m = interpolation === 'bilinear' ? bilinearMatrix(inSize, sizes[i]!) : nearestMatrix(inSize, sizes[i]!);
      y = applyAxisMatrix(y, axis, m);
    }
    return y === x ? ops.identity(x) : y;
  });
}

/** Slices [h0, h0 + h) x [w0, w0 + w) of the spatial axes starting at `hAxis`. */
export function cropImage(x: Tensor, hAxis: number, h0: number, w0: number, h: number, w: number): Tensor {
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  begin[hAxis] = h0;
  begin[hAxis + 1] = w0;
  size[hAxis] = h;
  size[hAxis + 1] = w;
  return ops.slice(x, begin, size);
}

/** The central crop box of keras' `crop_to_aspect_ratio` / `smart_resize`: [hStart, wStart, cropH, cropW]. */
export function aspectCropBox(height: number, width: number, targetH: number, targetW: number): [number, number, number, number] {
  const cropH = Math.max(Math.min(height, Math.trunc((width * targetH) / targetW)), 1);
  const cropW = Math.max(Math.min(width, Math.trunc((height * targetW) / targetH)), 1);
  return [Math.trunc((height - cropH) / 2), Math.trunc((width - cropW) / 2), cropH, cropW];
}

/** Crops the central window of the target aspect ratio, then resizes (keras `smart_resize`). */
export function smartResize(x: Tensor, hAxis: number, height: number, width: number, interpolation: ResizeInterpolation = 'bilinear'): Tensor {
  return tidy(() => {
    const [h0, w0, ch, cw] = aspectCropBox(x.shape[hAxis]!, x.shape[hAxis + 1]!, height, width);
    return resizeImage(cropImage(x, hAxis, h0, w0, ch, cw), hAxis, height, width, interpolation);
  });
}

/** `inputShape` with the spatial dims replaced by (height, width). */
export function withSpatial(shape: Shape, hAxis: number, height: number, width: number): Shape {
  const out = [...shape];
  out[hAxis] = height;
  out[hAxis + 1] = width;
  return out;
}

/** Checks a positive integer size argument. */
export function checkSize(layer: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${layer}: \`${name}\` must be a positive integer. Received: ${name}=${String(value)}`);
  }
  return value;
}

/**
 * Keras' `_set_value_range` for image layers: any list of two numbers, sorted (so `[255, 0]` is
 * accepted as `[0, 255]`); defaults to `[0, 255]`.
 */
export function sortedValueRange(layer: string, value: unknown): [number, number] {
  const v = value ?? [0, 255];
  if (!Array.isArray(v) || v.length !== 2 || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new ValueError(`${layer}: the \`value_range\` argument should be a list of two numbers. Received: value_range=${JSON.stringify(value)}`);
  }
  return v[0] <= v[1] ? [v[0], v[1]] : [v[1], v[0]];
}

/** Keras' per-element `_check_factor_range` factor: a number `f` is `[-|f|, |f|]` (or `[0, f]` if `fromZero`), a pair is sorted; every entry must lie in `bounds`. */
export function elementwiseFactor(layer: string, name: string, value: unknown, bounds: readonly [number, number], fromZero: boolean): [number, number] {
  const [lo, hi] = bounds;
  const fail = () =>
    new ValueError(`${layer}: the \`${name}\` argument should be a number (or a list of two numbers) in the range [${lo}, ${hi}]. Received: ${name}=${JSON.stringify(value)}`);
  const inRange = (e: unknown): e is number => typeof e === 'number' && Number.isFinite(e) && e >= lo && e <= hi;
  if (Array.isArray(value)) {
    if (value.length !== 2 || !inRange(value[0]) || !inRange(value[1])) throw fail();
    return value[0] <= value[1] ? [value[0], value[1]] : [value[1], value[0]];
  }
  if (!inRange(value)) throw fail();
  return fromZero ? [0, value] : [-Math.abs(value), Math.abs(value)];
}

/** Casts to float32 (Keras image layers compute in, and return, the layer's float compute dtype). */
export function toFloat(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : ops.cast(x, 'float32');
}
