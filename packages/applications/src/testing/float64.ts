// Test-only float64 building blocks for the forward references of the *.test.ts files (not
// exported from index.ts). They are plain JS loops over NHWC images, written from the layer
// definitions (TF padding rules, Keras' BatchNormalization), and never call the code under test.

/** One image (batch 1), channels last, in float64. */
export interface Img {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}

/** The value at row `i`, column `j`, channel `k`. */
export const at = (x: Img, i: number, j: number, k: number): number => x.d[(i * x.w + j) * x.c + k]!;

/** Zero padding: `top`/`bottom` rows and `left`/`right` columns. */
export function pad(x: Img, top: number, bottom: number, left: number, right: number): Img {
  const h = x.h + top + bottom;
  const w = x.w + left + right;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) for (let k = 0; k < x.c; k++) d[((i + top) * w + j + left) * x.c + k] = at(x, i, j, k);
  return { h, w, c: x.c, d };
}

/** TF's 'same' padding of one axis of length `n`: [before, after], the odd pixel after. */
export function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The zero border TF's 'same' padding adds for a `kh` x `kw` window with stride `s`. */
export function samePad(x: Img, kh: number, kw: number, s: number): Img {
  const [t, b] = samePads(x.h, kh, s);
  const [l, r] = samePads(x.w, kw, s);
  return pad(x, t, b, l, r);
}

/** Keras' `correct_pad` before a stride-2 'valid' k x k window: one pixel less before on an even size. */
export function correctPad(x: Img, k: number): Img {
  const before = (n: number) => Math.floor(k / 2) - (n % 2 === 0 ? 1 : 0);
  return pad(x, before(x.h), Math.floor(k / 2), before(x.w), Math.floor(k / 2));
}

/** Conv2D with a (kh, kw, in, f) kernel (flattened), stride `s`, 'same' or 'valid', optional bias. */
export function conv(x: Img, kernel: ArrayLike<number>, kh: number, kw: number, f: number, s: number, same: boolean, bias?: ArrayLike<number>): Img {
  const p = same ? samePad(x, kh, kw, s) : x;
  const h = Math.floor((p.h - kh) / s) + 1;
  const w = Math.floor((p.w - kw) / s) + 1;
  const d = new Float64Array(h * w * f);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const o = (i * w + j) * f;
      if (bias) for (let q = 0; q < f; q++) d[o + q] = bias[q]!;
      for (let a = 0; a < kh; a++)
        for (let b = 0; b < kw; b++)
          for (let c = 0; c < p.c; c++) {
            const v = at(p, i * s + a, j * s + b, c);
            const base = ((a * kw + b) * p.c + c) * f;
            for (let q = 0; q < f; q++) d[o + q] = d[o + q]! + v * kernel[base + q]!;
          }
    }
  return { h, w, c: f, d };
}

/** DepthwiseConv2D (multiplier 1) with a (k, k, c, 1) kernel, stride `s`, 'same' or 'valid', optional bias. */
export function depthwise(x: Img, kernel: ArrayLike<number>, k: number, s: number, same: boolean, bias?: ArrayLike<number>): Img {
  const p = same ? samePad(x, k, k, s) : x;
  const h = Math.floor((p.h - k) / s) + 1;
  const w = Math.floor((p.w - k) / s) + 1;
  const d = new Float64Array(h * w * p.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < p.c; c++) {
        let acc = bias ? bias[c]! : 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) acc += at(p, i * s + a, j * s + b, c) * kernel[(a * k + b) * p.c + c]!;
        d[(i * w + j) * p.c + c] = acc;
      }
  return { h, w, c: p.c, d };
}

/**
 * k x k max or average pooling with stride `s`. 'same' pools over the real pixels only (TF: the
 * padding is never the max, and the average divides by the number of real pixels).
 */
export function pool(x: Img, k: number, s: number, mode: 'max' | 'avg', same = false): Img {
  const [pt] = same ? samePads(x.h, k, s) : [0];
  const [pl] = same ? samePads(x.w, k, s) : [0];
  const h = same ? Math.ceil(x.h / s) : Math.floor((x.h - k) / s) + 1;
  const w = same ? Math.ceil(x.w / s) : Math.floor((x.w - k) / s) + 1;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < x.c; c++) {
        let acc = mode === 'max' ? Number.NEGATIVE_INFINITY : 0;
        let n = 0;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const r = i * s + a - pt!;
            const q = j * s + b - pl!;
            if (r < 0 || r >= x.h || q < 0 || q >= x.w) continue;
            const v = at(x, r, q, c);
            acc = mode === 'max' ? Math.max(acc, v) : acc + v;
            n++;
          }
        d[(i * w + j) * x.c + c] = mode === 'max' ? acc : acc / n;
      }
  return { h, w, c: x.c, d };
}

/** Elementwise `fn(value, channel)`. */
export const map = (x: Img, fn: (v: number, k: number) => number): Img => ({ ...x, d: x.d.map((v, i) => fn(v, i % x.c)) });

/**
 * Inference BatchNormalization over the channels with Keras' weight list: [gamma, beta, mean,
 * variance], or [beta, mean, variance] for `scale=False`.
 */
export function batchNorm(x: Img, weights: ArrayLike<number>[], eps: number): Img {
  const [g, b, m, v] = weights.length === 3 ? [null, ...weights] : weights;
  return map(x, (y, k) => ((y - m![k]!) / Math.sqrt(v![k]! + eps)) * (g ? g[k]! : 1) + b![k]!);
}

/** LayerNormalization over the channels of every pixel, [gamma, beta]. */
export function layerNorm(x: Img, [g, b]: ArrayLike<number>[], eps: number): Img {
  const d = new Float64Array(x.d.length);
  for (let p = 0; p < x.h * x.w; p++) {
    let m = 0;
    for (let c = 0; c < x.c; c++) m += x.d[p * x.c + c]! / x.c;
    let v = 0;
    for (let c = 0; c < x.c; c++) v += (x.d[p * x.c + c]! - m) ** 2 / x.c;
    for (let c = 0; c < x.c; c++) d[p * x.c + c] = ((x.d[p * x.c + c]! - m) / Math.sqrt(v + eps)) * g![c]! + b![c]!;
  }
  return { ...x, d };
}

export const relu = (x: Img): Img => map(x, (v) => Math.max(v, 0));
export const relu6 = (x: Img): Img => map(x, (v) => Math.min(Math.max(v, 0), 6));
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
export const add = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });

/** Concatenation along the channels. */
export function concat(xs: Img[]): Img {
  const c = xs.reduce((s, x) => s + x.c, 0);
  const { h, w } = xs[0]!;
  const d = new Float64Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    let o = 0;
    for (const x of xs) {
      for (let k = 0; k < x.c; k++) d[p * c + o + k] = x.d[p * x.c + k]!;
      o += x.c;
    }
  }
  return { h, w, c, d };
}

/** Global average pooling: the mean of every channel. */
export function gap(x: Img): number[] {
  const m = new Array<number>(x.c).fill(0);
  for (let p = 0; p < x.h * x.w; p++) for (let c = 0; c < x.c; c++) m[c]! += x.d[p * x.c + c]! / (x.h * x.w);
  return m;
}

/** Dense on a vector: `bias + v @ kernel` with a (len(v), units) kernel. */
export const dense = (v: number[], kernel: ArrayLike<number>, bias: ArrayLike<number>): number[] =>
  Array.from(bias, (b, o) => v.reduce((s, x, i) => s + x * kernel[i * bias.length + o]!, b));

/** Dense applied to every pixel's channel vector. */
export function densePixels(x: Img, kernel: ArrayLike<number>, bias: ArrayLike<number>): Img {
  const f = bias.length;
  const d = new Float64Array(x.h * x.w * f);
  for (let p = 0; p < x.h * x.w; p++)
    for (let o = 0; o < f; o++) {
      let acc = bias[o]!;
      for (let c = 0; c < x.c; c++) acc += x.d[p * x.c + c]! * kernel[c * f + o]!;
      d[p * f + o] = acc;
    }
  return { h: x.h, w: x.w, c: f, d };
}

export function softmax(z: number[]): number[] {
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
