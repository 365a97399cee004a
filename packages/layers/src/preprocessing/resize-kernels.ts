import { type Tensor, ValueError, ops, tidy } from '@strata/core';
import { applyAxisMatrix } from '../reshaping/spatial-utils';

/** The interpolations of `keras.ops.image.resize` (Keras' `RESIZE_INTERPOLATIONS`). */
export const RESIZE_INTERPOLATIONS = ['bilinear', 'nearest', 'lanczos3', 'lanczos5', 'bicubic', 'area'] as const;
export type ResizeMethod = (typeof RESIZE_INTERPOLATIONS)[number];

/** Checks an `interpolation` argument against Keras' list; `who` names the caller in the error. */
export function checkResizeMethod(who: string, value: unknown): ResizeMethod {
  if (typeof value !== 'string' || !(RESIZE_INTERPOLATIONS as readonly string[]).includes(value)) {
    throw new ValueError(
      `${who}: invalid value for argument \`interpolation\`. Expected one of (${RESIZE_INTERPOLATIONS.map((m) => `'${m}'`).join(', ')}). Received: interpolation=${String(value)}`,
    );
  }
  return value as ResizeMethod;
}

/** Triangle (tent) kernel of radius 1. */
function triangle(x: number): number {
  return Math.max(0, 1 - x);
}

/** Keys cubic convolution kernel with a = -0.5 (the one TF and JAX use for 'bicubic'), radius 2. */
function keysCubic(x: number): number {
  if (x >= 2) return 0;
  if (x >= 1) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return (1.5 * x - 2.5) * x * x + 1;
}

/** Lanczos kernel of radius `r`: sinc(x) sinc(x / r) on |x| <= r; 1 near 0 as TF and JAX do. */
function lanczos(r: number, x: number): number {
  if (x > r) return 0;
  if (x <= 1e-3) return 1;
  return (r * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / r)) / (Math.PI * Math.PI * x * x);
}

const KERNELS: Record<'bilinear' | 'bicubic' | 'lanczos3' | 'lanczos5', (x: number) => number> = {
  bilinear: triangle,
  bicubic: keysCubic,
  lanczos3: (x) => lanczos(3, x),
  lanczos5: (x) => lanczos(5, x),
};

// float32 epsilon: weight sums below 1000 * eps are treated as empty, as jax.image / TF ScaleAndTranslate do.
const EPS32 = 2 ** -23;

/** Source index of each output pixel for 'nearest': `floor((i + 0.5) * in / out)`, clipped to the image. */
export function nearestIndices(inSize: number, outSize: number): number[] {
  // (2i + 1) * in / (2 * out) in integers first, so exact half-pixel ties are not lost to rounding.
  return Array.from({ length: outSize }, (_, i) => Math.min(Math.floor(((2 * i + 1) * inSize) / (2 * outSize)), inSize - 1));
}

/**
 * Resampling weights `[outSize][inSize]` of one axis, i.e. `out[i] = sum_j w[i][j] * in[j]`.
 *
 * - 'bilinear' / 'bicubic' / 'lanczos3' / 'lanczos5': scale-and-translate resampling with half-pixel
 *   centres (jax.image.scale_and_translate, TF ScaleAndTranslate): the sample point of output `i`
 *   is `(i + 0.5) * in / out - 0.5`, taps outside the image are dropped and the rest renormalized
 *   to sum to 1; with `antialias` a downscale widens the kernel by `in / out`. This is what the
 *   JAX and NumPy backends do for every antialias setting and TF does with antialias=True; TF's
 *   non-antialiased 'bicubic' (ResizeBicubic) instead repeats edge pixels, so it differs from this
 *   in the outermost two output rows/columns only.
 * - 'nearest': input `floor((i + 0.5) * in / out)` (half-pixel centres, no antialiasing).
 * - 'area': TF ResizeArea, the mean of the box `[i * in / out, (i + 1) * in / out)` weighted by overlap.
 */
export function resizeWeights(inSize: number, outSize: number, method: ResizeMethod, antialias = false): number[][] {
  const inv = inSize / outSize;
  if (method === 'nearest') {
    return nearestIndices(inSize, outSize).map((j) => Array.from({ length: inSize }, (_, k) => (k === j ? 1 : 0)));
  }
  if (method === 'area') {
    return Array.from({ length: outSize }, (_, i) => {
      const a = i * inv;
      const b = (i + 1) * inv;
      const row = new Array<number>(inSize).fill(0);
      for (let j = Math.floor(a); j < Math.ceil(b); j++) {
        const overlap = Math.min(j + 1, b) - Math.max(j, a);
        row[Math.min(j, inSize - 1)]! += overlap / inv;
      }
      return row;
    });
  }
  const kernel = KERNELS[method];
  const kernelScale = antialias ? Math.max(inv, 1) : 1;
  return Array.from({ length: outSize }, (_, i) => {
    const sample = (i + 0.5) * inv - 0.5;
    const row = Array.from({ length: inSize }, (_, j) => kernel(Math.abs(sample - j) / kernelScale));
    const total = row.reduce((s, v) => s + v, 0);
    // A sample point off the image (only with a translation, never for a plain resize) gets no weight.
    const inside = sample >= -0.5 && sample <= inSize - 0.5;
    return row.map((v) => (inside && Math.abs(total) > 1000 * EPS32 ? v / total : 0));
  });
}

/**
 * Resizes the spatial axes `hAxis`, `hAxis + 1` of a float tensor to (height, width): one
 * precomputed weight matrix per axis applied by matmul, so gradients flow to the input.
 * Axes whose size does not change are left alone (every kernel here interpolates exactly).
 */
export function resizeSpatial(x: Tensor, hAxis: number, height: number, width: number, method: ResizeMethod, antialias: boolean): Tensor {
  return tidy(() => {
    let y = x;
    const sizes = [height, width];
    for (let i = 0; i < 2; i++) {
      const axis = hAxis + i;
      const inSize = y.shape[axis]!;
      if (inSize === sizes[i]) continue;
      if (method === 'nearest') {
        // A gather rather than a one-hot matmul: exact for any dtype and for inf/NaN pixels.
        y = ops.take(y, nearestIndices(inSize, sizes[i]!), axis);
      } else {
        y = applyAxisMatrix(y, axis, resizeWeights(inSize, sizes[i]!, method, antialias));
      }
    }
    return y === x ? ops.identity(x) : y;
  });
}

/**
 * Keras' `pad_to_aspect_ratio` box: the rows (or columns) added on EACH side of an image of size
 * (height, width) so it takes the aspect ratio of (targetH, targetW). Keras computes the padded size
 * `int(width * targetH / targetW)` (or the width analogue), then puts `int((padded - size) / 2)` on
 * both sides, so an odd difference loses one row. Returns [rowsEachSide, colsEachSide].
 */
export function aspectPadBox(height: number, width: number, targetH: number, targetW: number): [number, number] {
  const padH = Math.max(height, Math.trunc((width * targetH) / targetW));
  const padW = Math.max(width, Math.trunc((height * targetW) / targetH));
  return [Math.trunc((padH - height) / 2), Math.trunc((padW - width) / 2)];
}

/** Pads axes `hAxis`, `hAxis + 1` of `x` with `fillValue` as Keras' `pad_to_aspect_ratio` does. */
export function padToAspectRatio(x: Tensor, hAxis: number, targetH: number, targetW: number, fillValue: number): Tensor {
  const [rows, cols] = aspectPadBox(x.shape[hAxis]!, x.shape[hAxis + 1]!, targetH, targetW);
  if (rows === 0 && cols === 0) return x;
  const widths = x.shape.map((): [number, number] => [0, 0]);
  widths[hAxis] = [rows, rows];
  widths[hAxis + 1] = [cols, cols];
  return ops.pad(x, widths, 'constant', fillValue);
}
