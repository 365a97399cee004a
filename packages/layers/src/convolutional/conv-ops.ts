// Convolution primitives composed from core's ops (conv, depthwiseConv, pad, reshape, slice...),
// channels_last throughout, with explicit TF-style paddings so every variant (1-D, 3-D, causal,
// transposed, dilated depthwise) is a differentiable chain of ops that core already registers.
import { type Tensor, ops } from '@strata/core';

export type ConvPadding = 'valid' | 'same' | 'causal';
export type PadPair = [number, number];

/** Effective window size of a dilated kernel. */
export const effectiveKernel = (k: number, d: number): number => (k - 1) * d + 1;

/**
 * Explicit `[before, after]` padding of one spatial axis as TF computes it: `same` pads
 * `max((out - 1) * s + keff - n, 0)` with the odd pixel after; `causal` pads `keff - 1` before.
 */
export function explicitPads(n: number, k: number, s: number, d: number, padding: ConvPadding): PadPair {
  const keff = effectiveKernel(k, d);
  if (padding === 'valid') return [0, 0];
  if (padding === 'causal') return [keff - 1, 0];
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + keff - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Output length of a forward convolution along one axis (`null` in, `null` out). */
export function convLength(n: number | null, k: number, s: number, d: number, padding: ConvPadding): number | null {
  if (n == null) return null;
  if (padding === 'valid') return Math.floor((n - effectiveKernel(k, d)) / s) + 1;
  return Math.floor((n - 1) / s) + 1;
}

/** Keras `compute_conv_transpose_output_length`. */
export function deconvLength(
  n: number | null,
  k: number,
  s: number,
  d: number,
  padding: 'valid' | 'same',
  outputPadding: number | null,
): number | null {
  if (n == null) return null;
  const keff = effectiveKernel(k, d);
  if (outputPadding == null) return padding === 'valid' ? n * s + Math.max(keff - s, 0) : n * s;
  const pad = padding === 'same' ? Math.floor(keff / 2) : 0;
  return (n - 1) * s + keff - 2 * pad + outputPadding;
}

/** Pads (positive entries) and crops (negative entries) the spatial axes 1..r of `x`. */
export function padOrCrop(x: Tensor, pads: PadPair[]): Tensor {
  let y = x;
  if (pads.some(([a, b]) => a > 0 || b > 0)) {
    y = ops.pad(y, [[0, 0], ...pads.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as PadPair), [0, 0]]);
  }
  if (pads.some(([a, b]) => a < 0 || b < 0)) {
    const begin = [0, ...pads.map(([a]) => Math.max(-a, 0)), 0];
    const size = y.shape.map((n, i) => (i === 0 || i === y.rank - 1 ? -1 : n - begin[i]! - Math.max(-pads[i - 1]![1], 0)));
    y = ops.slice(y, begin, size);
  }
  return y;
}

/** Inserts `factor - 1` zeros between the entries of `x` along `axis`. */
export function spreadAxis(x: Tensor, axis: number, factor: number): Tensor {
  if (factor === 1) return x;
  const shape = x.shape;
  const n = shape[axis]!;
  const expanded = ops.reshape(x, [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)]);
  const widths = expanded.shape.map((_, i) => (i === axis + 1 ? [0, factor - 1] : [0, 0]) as PadPair);
  const merged = ops.reshape(ops.pad(expanded, widths), [...shape.slice(0, axis), n * factor, ...shape.slice(axis + 1)]);
  const size = shape.map((d, i) => (i === axis ? (n - 1) * factor + 1 : d));
  return ops.slice(merged, shape.map(() => 0), size);
}

/** Frames 0, s, 2s, ... (`count` of them) along axis 1, by pad + reshape + slice (all differentiable). */
function everyNth(x: Tensor, s: number, count: number): Tensor {
  if (s === 1) return x;
  const [n, len, ...rest] = x.shape as number[];
  const widths: PadPair[] = x.shape.map((_, i) => (i === 1 ? [0, count * s - len!] : [0, 0]));
  const grouped = ops.reshape(ops.pad(x, widths), [n!, count, s, ...rest]);
  return ops.reshape(ops.slice(grouped, grouped.shape.map(() => 0), [n!, count, 1, ...rest]), [n!, count, ...rest]);
}

/**
 * Forward convolution (cross-correlation) of channels_last `x` (rank r + 2, r in 1..3) with a
 * `(k..., in, out)` kernel and explicit paddings. 1-D runs as 2-D on a unit axis; 3-D sums 2-D
 * convolutions over the kernel's depth taps.
 */
export function convNd(x: Tensor, kernel: Tensor, strides: number[], dilations: number[], pads: PadPair[]): Tensor {
  const r = x.rank - 2;
  if (r === 1) {
    const y = convNd(ops.expandDims(x, 1), ops.expandDims(kernel, 0), [1, strides[0]!], [1, dilations[0]!], [[0, 0], pads[0]!]);
    return ops.squeeze(y, 1);
  }
  if (r === 2 && pads.every(([a, b]) => a >= 0 && b >= 0)) {
    // The engine pads inside the conv itself; a separate pad would copy the input first.
    return ops.conv(x, kernel, strides as [number, number], pads as [PadPair, PadPair], dilations as [number, number]);
  }
  const xp = padOrCrop(x, pads);
  if (r === 2) return ops.conv(xp, kernel, strides as [number, number], 'valid', dilations as [number, number]);
  const [n, depth, h, w, c] = xp.shape as [number, number, number, number, number];
  const [kd, kh, kw, ci, co] = kernel.shape as [number, number, number, number, number];
  const [sd, sh, sw] = strides as [number, number, number];
  const [dd, dh, dw] = dilations as [number, number, number];
  const od = Math.floor((depth - effectiveKernel(kd, dd)) / sd) + 1;
  let sum: Tensor | null = null;
  for (let a = 0; a < kd; a++) {
    const frames = everyNth(ops.slice(xp, [0, a * dd, 0, 0, 0], [n, (od - 1) * sd + 1, h, w, c]), sd, od);
    const tap = ops.reshape(ops.slice(kernel, [a, 0, 0, 0, 0], [1, kh, kw, ci, co]), [kh, kw, ci, co]);
    const y = ops.conv(ops.reshape(frames, [n * od, h, w, c]), tap, [sh, sw], 'valid', [dh, dw]);
    sum = sum == null ? y : ops.add(sum, y);
  }
  const [, oh, ow] = sum!.shape;
  return ops.reshape(sum!, [n, od, oh!, ow!, co]);
}

/** `convNd` with the channels split into `groups` independent convolutions. */
export function groupedConvNd(x: Tensor, kernel: Tensor, strides: number[], dilations: number[], pads: PadPair[], groups: number): Tensor {
  if (groups === 1) return convNd(x, kernel, strides, dilations, pads);
  const axis = x.rank - 1;
  const channels = x.shape[axis]!;
  if (groups === channels && x.rank <= 4) {
    // One input channel per group is a depthwise convolution: the (k..., 1, f) kernel read as
    // (k..., c, f / c) gives output channel c * (f / c) + m, the grouped order. One kernel instead
    // of c convolutions and a concatenation.
    const k = kernel.shape;
    const depthwise = ops.reshape(kernel, [...k.slice(0, -2), channels, k[k.length - 1]! / channels]);
    return depthwiseNd(x, depthwise, strides, dilations, pads);
  }
  const xs = ops.split(x, groups, axis);
  const ks = ops.split(kernel, groups, axis);
  return ops.concatenate(
    xs.map((xi, g) => convNd(xi, ks[g]!, strides, dilations, pads)),
    axis,
  );
}

/**
 * Depthwise convolution of channels_last `x` (rank 3 or 4) with a `(k..., in, multiplier)`
 * kernel; output channel `c * multiplier + m`. Dilation is applied by spreading the kernel with
 * zeros (tfjs has no depthwise gradient for dilation > 1).
 */
export function depthwiseNd(x: Tensor, kernel: Tensor, strides: number[], dilations: number[], pads: PadPair[]): Tensor {
  if (x.rank === 3) {
    const y = depthwiseNd(ops.expandDims(x, 1), ops.expandDims(kernel, 0), [1, strides[0]!], [1, dilations[0]!], [[0, 0], pads[0]!]);
    return ops.squeeze(y, 1);
  }
  let k = kernel;
  for (let i = 0; i < 2; i++) k = spreadAxis(k, i, dilations[i]!);
  // The engine pads inside the kernel itself; a separate pad would copy the input first.
  if (pads.every(([a, b]) => a >= 0 && b >= 0)) return ops.depthwiseConv(x, k, strides as [number, number], pads as [PadPair, PadPair], 1);
  return ops.depthwiseConv(padOrCrop(x, pads), k, strides as [number, number], 'valid', 1);
}

/**
 * Transposed convolution of channels_last `x` with a Keras `(k..., out, in)` kernel, as TF's
 * `conv_transpose` with the output length of `deconvLength`: the input is spread with
 * `stride - 1` zeros, padded, and correlated with the spatially flipped kernel.
 */
export function convTransposeNd(
  x: Tensor,
  kernel: Tensor,
  strides: number[],
  dilations: number[],
  padding: 'valid' | 'same',
  outputPadding: number[] | null,
): Tensor {
  const r = x.rank - 2;
  const ksz = kernel.shape.slice(0, r);
  let spread = x;
  const pads: PadPair[] = [];
  for (let i = 0; i < r; i++) {
    const n = x.shape[i + 1]!;
    const [k, s, d] = [ksz[i]!, strides[i]!, dilations[i]!];
    const keff = effectiveKernel(k, d);
    const len = deconvLength(n, k, s, d, padding, outputPadding?.[i] ?? null)!;
    const before = padding === 'valid' ? 0 : Math.floor(Math.max((n - 1) * s + keff - len, 0) / 2);
    pads.push([keff - 1 - before, len + before - (n - 1) * s - 1]);
    spread = spreadAxis(spread, i + 1, s);
  }
  const spatial = Array.from({ length: r }, (_, i) => i);
  const flipped = ops.transpose(ops.flip(kernel, spatial), [...spatial, r + 1, r]);
  return convNd(spread, flipped, new Array<number>(r).fill(1), dilations, pads);
}
