// Test-only float64 loop references for the convolution tests (not exported from the package).
import type { Tensor } from '@strata/core';

export interface Ref {
  data: number[];
  shape: number[];
}

export interface RefWindow {
  strides?: number[];
  dilation?: number[];
  padding?: 'valid' | 'same' | 'causal';
}

const prod = (xs: number[]) => xs.reduce((a, v) => a * v, 1);

/** Row-major multi-index of flat `i` in `dims`. */
function unravel(i: number, dims: number[]): number[] {
  const idx = new Array<number>(dims.length);
  let r = i;
  for (let a = dims.length - 1; a >= 0; a--) {
    idx[a] = r % dims[a]!;
    r = Math.floor(r / dims[a]!);
  }
  return idx;
}

function ravel(idx: number[], dims: number[]): number {
  let f = 0;
  for (let a = 0; a < dims.length; a++) f = f * dims[a]! + idx[a]!;
  return f;
}

/** Output length and padding-before of one axis, as TF: same pads max((out-1)s+keff-n, 0), odd pixel after. */
function axisGeometry(n: number, k: number, s: number, d: number, padding: RefWindow['padding']): [number, number] {
  const keff = (k - 1) * d + 1;
  if (padding === 'causal') return [Math.floor((n - 1) / s) + 1, keff - 1];
  if (padding === 'same') {
    const out = Math.ceil(n / s);
    return [out, Math.floor(Math.max((out - 1) * s + keff - n, 0) / 2)];
  }
  return [Math.floor((n - keff) / s) + 1, 0];
}

export const values = (t: Tensor): number[] => Array.from(t.dataSync());

/**
 * Generic channels_last window loop: `tap(b, outIdx, inIdx | null-if-padded, kIdx)` accumulates;
 * shared by the conv and depthwise references.
 */
function windows(
  xShape: number[],
  ksz: number[],
  w: RefWindow,
  body: (b: number, out: number[], inp: number[], k: number[]) => void,
): number[] {
  const [n, ...rest] = xShape;
  const spatial = rest.slice(0, -1);
  const r = spatial.length;
  const s = w.strides ?? new Array<number>(r).fill(1);
  const d = w.dilation ?? new Array<number>(r).fill(1);
  const geo = spatial.map((L, i) => axisGeometry(L, ksz[i]!, s[i]!, d[i]!, w.padding ?? 'valid'));
  const outs = geo.map((g) => g[0]);
  for (let b = 0; b < n!; b++)
    for (let o = 0; o < prod(outs); o++) {
      const oi = unravel(o, outs);
      for (let t = 0; t < prod(ksz); t++) {
        const ki = unravel(t, ksz);
        const ii = oi.map((v, a) => v * s[a]! + ki[a]! * d[a]! - geo[a]![1]);
        if (ii.some((v, a) => v < 0 || v >= spatial[a]!)) continue;
        body(b, oi, ii, ki);
      }
    }
  return outs;
}

/** N-D convolution: x (n, ...spatial, c), kernel (...k, c / groups, f). */
export function refConv(x: number[], xShape: number[], k: number[], kShape: number[], bias: number[] | null, w: RefWindow & { groups?: number } = {}): Ref {
  const c = xShape[xShape.length - 1]!;
  const ksz = kShape.slice(0, -2);
  const [cin, f] = kShape.slice(-2) as [number, number];
  const groups = w.groups ?? 1;
  const spatialIn = xShape.slice(1, -1);
  const r = ksz.length;
  const st = w.strides ?? new Array<number>(r).fill(1);
  const dl = w.dilation ?? new Array<number>(r).fill(1);
  const outs = spatialIn.map((L, i) => axisGeometry(L, ksz[i]!, st[i]!, dl[i]!, w.padding ?? 'valid')[0]);
  const shape = [xShape[0]!, ...outs, f];
  const data = new Array<number>(prod(shape)).fill(0);
  windows(xShape, ksz, w, (b, oi, ii, ki) => {
    const base = ravel([b, ...oi], [xShape[0]!, ...outs]) * f;
    const xb = ravel([b, ...ii], [xShape[0]!, ...spatialIn]) * c;
    const kb = ravel(ki, ksz) * cin * f;
    for (let m = 0; m < f; m++) {
      const g = Math.floor(m / (f / groups));
      for (let q = 0; q < cin; q++) data[base + m]! += x[xb + g * cin + q]! * k[kb + q * f + m]!;
    }
  });
  return { data: data.map((v, i) => v + (bias ? bias[i % f]! : 0)), shape };
}

/** N-D depthwise convolution: x (n, ...spatial, c), kernel (...k, c, mult); output channel c * mult + m. */
export function refDepthwise(x: number[], xShape: number[], k: number[], kShape: number[], bias: number[] | null, w: RefWindow = {}): Ref {
  const c = xShape[xShape.length - 1]!;
  const ksz = kShape.slice(0, -2);
  const mult = kShape[kShape.length - 1]!;
  const spatialIn = xShape.slice(1, -1);
  const r = ksz.length;
  const s = w.strides ?? new Array<number>(r).fill(1);
  const d = w.dilation ?? new Array<number>(r).fill(1);
  const outs = spatialIn.map((L, i) => axisGeometry(L, ksz[i]!, s[i]!, d[i]!, w.padding ?? 'valid')[0]);
  const f = c * mult;
  const shape = [xShape[0]!, ...outs, f];
  const data = new Array<number>(prod(shape)).fill(0);
  windows(xShape, ksz, w, (b, oi, ii, ki) => {
    const base = ravel([b, ...oi], [xShape[0]!, ...outs]) * f;
    const xb = ravel([b, ...ii], [xShape[0]!, ...spatialIn]) * c;
    const kb = ravel(ki, ksz) * c * mult;
    for (let ch = 0; ch < c; ch++) for (let m = 0; m < mult; m++) data[base + ch * mult + m]! += x[xb + ch]! * k[kb + ch * mult + m]!;
  });
  return { data: data.map((v, i) => v + (bias ? bias[i % f]! : 0)), shape };
}

/**
 * N-D transposed convolution by scattering (the definition): kernel (...k, f, c); output length
 * as Keras; input i, tap a lands at `i * s + a * d - pad`, pad as TF's forward conv on the output.
 */
export function refConvTranspose(
  x: number[],
  xShape: number[],
  k: number[],
  kShape: number[],
  bias: number[] | null,
  w: { strides?: number[]; dilation?: number[]; padding?: 'valid' | 'same'; outputPadding?: number[] | null } = {},
): Ref {
  const c = xShape[xShape.length - 1]!;
  const ksz = kShape.slice(0, -2);
  const f = kShape[kShape.length - 2]!;
  const spatialIn = xShape.slice(1, -1);
  const r = ksz.length;
  const s = w.strides ?? new Array<number>(r).fill(1);
  const d = w.dilation ?? new Array<number>(r).fill(1);
  const padding = w.padding ?? 'valid';
  const outs: number[] = [];
  const pads: number[] = [];
  spatialIn.forEach((n, i) => {
    const keff = (ksz[i]! - 1) * d[i]! + 1;
    const op = w.outputPadding?.[i];
    const len =
      op == null
        ? padding === 'valid'
          ? n * s[i]! + Math.max(keff - s[i]!, 0)
          : n * s[i]!
        : (n - 1) * s[i]! + keff - 2 * (padding === 'same' ? Math.floor(keff / 2) : 0) + op;
    outs.push(len);
    pads.push(padding === 'same' ? Math.floor(Math.max((n - 1) * s[i]! + keff - len, 0) / 2) : 0);
  });
  const shape = [xShape[0]!, ...outs, f];
  const data = new Array<number>(prod(shape)).fill(0);
  for (let b = 0; b < xShape[0]!; b++)
    for (let p = 0; p < prod(spatialIn); p++) {
      const ii = unravel(p, spatialIn);
      for (let t = 0; t < prod(ksz); t++) {
        const ki = unravel(t, ksz);
        const oi = ii.map((v, a) => v * s[a]! + ki[a]! * d[a]! - pads[a]!);
        if (oi.some((v, a) => v < 0 || v >= outs[a]!)) continue;
        const ob = ravel([b, ...oi], [xShape[0]!, ...outs]) * f;
        const xb = ravel([b, ...ii], [xShape[0]!, ...spatialIn]) * c;
        const kb = ravel(ki, ksz) * f * c;
        for (let m = 0; m < f; m++) for (let q = 0; q < c; q++) data[ob + m]! += x[xb + q]! * k[kb + m * c + q]!;
      }
    }
  return { data: data.map((v, i) => v + (bias ? bias[i % f]! : 0)), shape };
}
