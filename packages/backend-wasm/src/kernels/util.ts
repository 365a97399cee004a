import { type Tensor, ValueError } from '@strata/core';
import type { KernelArgs } from '../tfjs';

export type Pair = [number, number];
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
export type Pad = 'valid' | 'same' | number | ExplicitPadding;

export const pair = (v: number | number[] | undefined, fallback = 1): Pair =>
  v == null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0]!, v[1] ?? v[0]!];

/** The named inputs of a kernel call (tfjs passes a record for every kernel but Einsum/AddN/Concat). */
export function named(args: KernelArgs, kernel: string, names: string[]): Tensor[] {
  const inputs = args.inputs as Record<string, Tensor>;
  return names.map((n) => {
    const t = inputs[n];
    if (t == null) throw new ValueError(`${kernel} (wasm): missing input '${n}'.`);
    return t;
  });
}

export interface PadInfo {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Padding of one spatial axis, the way TensorFlow (and tfjs' `computeConv2DInfo`) decides it:
 * 'same' pads so that `out = ceil(in / stride)`, with the odd row at the end; 'valid' pads nothing.
 */
function axisPad(
  pad: Pad,
  axis: 0 | 1,
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  rounding?: 'floor' | 'round' | 'ceil',
): { before: number; after: number; out: number } {
  const eff = (k - 1) * dilation + 1;
  const round = (v: number) => (rounding === 'ceil' ? Math.ceil(v) : rounding === 'round' ? Math.round(v) : Math.floor(v));
  if (pad === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max(0, (out - 1) * stride + eff - inSize);
    const before = Math.floor(total / 2);
    return { before, after: total - before, out };
  }
  if (pad === 'valid') return { before: 0, after: 0, out: Math.ceil((inSize - eff + 1) / stride) };
  if (typeof pad === 'number') {
    return { before: pad, after: pad, out: round((inSize - eff + 2 * pad) / stride + 1) };
  }
  const [before, after] = pad[axis + 1]!;
  return { before, after, out: round((inSize + before + after - eff) / stride + 1) };
}

/** Output size and padding of an NHWC 2-D window op. */
export function convGeometry(
  inShape: [number, number],
  kernel: Pair,
  strides: Pair,
  dilations: Pair,
  pad: Pad,
  rounding?: 'floor' | 'round' | 'ceil',
): { outShape: Pair; pad: PadInfo } {
  const h = axisPad(pad, 0, inShape[0], kernel[0], strides[0], dilations[0], rounding);
  const w = axisPad(pad, 1, inShape[1], kernel[1], strides[1], dilations[1], rounding);
  return { outShape: [h.out, w.out], pad: { top: h.before, bottom: h.after, left: w.before, right: w.after } };
}

export function assertNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new ValueError(`${kernel} (wasm) supports dataFormat 'NHWC' only, got '${String(dataFormat)}'.`);
  }
}
