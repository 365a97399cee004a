import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InceptionV3, inceptionV3PreprocessInput } from './inception-v3';

// ---- An independent description of Keras' InceptionV3 (keras/src/applications/inception_v3.py) ----

type Dim = number | null;
interface Rec {
  name: string;
  className: string;
  shapes: number[][];
  out: Dim[];
  inputs: Rec[];
}
interface Row {
  name: string;
  className: string;
  shapes: number[][];
  out: Dim[];
}

/** Keras' automatic layer names, counted per prefix in a fresh session. */
const AUTO: Record<string, string> = {
  InputLayer: 'input_layer',
  Conv2D: 'conv2d',
  BatchNormalization: 'batch_normalization',
  Activation: 'activation',
  MaxPooling2D: 'max_pooling2d',
  AveragePooling2D: 'average_pooling2d',
  Concatenate: 'concatenate',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  GlobalMaxPooling2D: 'global_max_pooling2d',
};
function recorder() {
  const uids = new Map<string, number>();
  return (className: string, name: string | null, inputs: Rec[], out: Dim[], shapes: number[][] = []): Rec => {
    let n = name;
    if (n == null) {
      const p = AUTO[className]!;
      const k = uids.get(p) ?? 0;
      uids.set(p, k + 1);
      n = k === 0 ? p : `${p}_${k}`;
    }
    return { name: n, className, shapes, out, inputs };
  };
}

/**
 * `model.layers` order as Keras' `map_graph` (keras/src/ops/function.py) makes it: a DFS from the
 * output numbers each layer when first reached; depth = longest path to the output; layers are
 * listed by decreasing depth, ties by that DFS number.
 */
function kerasOrder(output: Rec): Row[] {
  const index = new Map<Rec, number>();
  const finished = new Set<Rec>();
  const topo: Rec[] = [];
  const visit = (r: Rec): void => {
    if (finished.has(r)) return;
    if (!index.has(r)) index.set(r, index.size);
    for (const p of r.inputs) visit(p);
    finished.add(r);
    topo.push(r);
  };
  visit(output);
  const depth = new Map<Rec, number>();
  for (let i = topo.length - 1; i >= 0; i--) {
    const r = topo[i]!;
    const d = depth.get(r) ?? 0;
    depth.set(r, d);
    for (const p of r.inputs) depth.set(p, Math.max(d + 1, depth.get(p) ?? 0));
  }
  return [...topo]
    .sort((a, b) => depth.get(b)! - depth.get(a)! || index.get(a)! - index.get(b)!)
    .map(({ name, className, shapes, out }) => ({ name, className, shapes, out }));
}

/** A conv step of a branch: [filters, kernel rows, kernel cols, stride, 'same' | 'valid']. */
type Step = [number, number, number, number?, ('same' | 'valid')?];
/** A branch: conv steps, optionally after a pool; `split` ends in two parallel convs joined by a concatenation. */
interface Branch {
  pool?: 'avg' | 'max';
  convs: Step[];
  split?: { steps: [Step, Step]; name: string | null };
}

/** The paper's Figures 5-7 and Table 1 as Keras builds them: (block name, branches in concatenation order). */
function inceptionBlocks(): [string, Branch[]][] {
  const a = (pool: number): Branch[] => [
    { convs: [[64, 1, 1]] },
    {
      convs: [
        [48, 1, 1],
        [64, 5, 5],
      ],
    },
    {
      convs: [
        [64, 1, 1],
        [96, 3, 3],
        [96, 3, 3],
      ],
    },
    { pool: 'avg', convs: [[pool, 1, 1]] },
  ];
  const c = (n: number): Branch[] => [
    { convs: [[192, 1, 1]] },
    {
      convs: [
        [n, 1, 1],
        [n, 1, 7],
        [192, 7, 1],
      ],
    },
    {
      convs: [
        [n, 1, 1],
        [n, 7, 1],
        [n, 1, 7],
        [n, 7, 1],
        [192, 1, 7],
      ],
    },
    { pool: 'avg', convs: [[192, 1, 1]] },
  ];
  const e = (i: number): Branch[] => [
    { convs: [[320, 1, 1]] },
    {
      convs: [[384, 1, 1]],
      split: {
        steps: [
          [384, 1, 3],
          [384, 3, 1],
        ],
        name: `mixed9_${i}`,
      },
    },
    {
      convs: [
        [448, 1, 1],
        [384, 3, 3],
      ],
      split: {
        steps: [
          [384, 1, 3],
          [384, 3, 1],
        ],
        name: null,
      },
    },
    { pool: 'avg', convs: [[192, 1, 1]] },
  ];
  return [
    ['mixed0', a(32)],
    ['mixed1', a(64)],
    ['mixed2', a(64)],
    [
      'mixed3',
      [
        { convs: [[384, 3, 3, 2, 'valid']] },
        {
          convs: [
            [64, 1, 1],
            [96, 3, 3],
            [96, 3, 3, 2, 'valid'],
          ],
        },
        { pool: 'max', convs: [] },
      ],
    ],
    ['mixed4', c(128)],
    ['mixed5', c(160)],
    ['mixed6', c(160)],
    ['mixed7', c(192)],
    [
      'mixed8',
      [
        {
          convs: [
            [192, 1, 1],
            [320, 3, 3, 2, 'valid'],
          ],
        },
        {
          convs: [
            [192, 1, 1],
            [192, 1, 7],
            [192, 7, 1],
            [192, 3, 3, 2, 'valid'],
          ],
        },
        { pool: 'max', convs: [] },
      ],
    ],
    ['mixed9', e(0)],
    ['mixed10', e(1)],
  ];
}

const STEM: Step[] = [
  [32, 3, 3, 2, 'valid'],
  [32, 3, 3, 1, 'valid'],
  [64, 3, 3],
];
const STEM2: Step[] = [
  [80, 1, 1, 1, 'valid'],
  [192, 3, 3, 1, 'valid'],
];

function inceptionReference(opts: { includeTop: boolean; classes?: number; pooling?: 'avg' | 'max'; size: number | null }): Row[] {
  const L = recorder();
  const len = (n: Dim, k: number, s: number, pad: 'same' | 'valid'): Dim => (n == null ? null : pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const convBn = (x: Rec, [f, kh, kw, s = 1, pad = 'same']: Step): Rec => {
    const cin = x.out[3] as number;
    const out: Dim[] = [null, len(x.out[1]!, kh, s, pad), len(x.out[2]!, kw, s, pad), f];
    const c = L('Conv2D', null, [x], out, [[kh, kw, cin, f]]);
    const b = L('BatchNormalization', null, [c], out, [[f], [f], [f]]); // scale=False: beta, mean, variance
    return L('Activation', null, [b], out);
  };
  const maxPool = (x: Rec) => L('MaxPooling2D', null, [x], [null, len(x.out[1]!, 3, 2, 'valid'), len(x.out[2]!, 3, 2, 'valid'), x.out[3]!]);
  const cat = (xs: Rec[], name: string | null) => L('Concatenate', name, xs, [null, xs[0]!.out[1]!, xs[0]!.out[2]!, xs.reduce((s, r) => s + (r.out[3] as number), 0)]);
  let x = L('InputLayer', null, [], [null, opts.size, opts.size, 3]);
  for (const s of STEM) x = convBn(x, s);
  x = maxPool(x);
  for (const s of STEM2) x = convBn(x, s);
  x = maxPool(x);
  for (const [name, branches] of inceptionBlocks()) {
    const outs: Rec[] = [];
    for (const br of branches) {
      let y = x;
      if (br.pool === 'avg') y = L('AveragePooling2D', null, [y], y.out);
      if (br.pool === 'max') y = maxPool(y);
      for (const s of br.convs) y = convBn(y, s);
      if (br.split) {
        const p = convBn(y, br.split.steps[0]);
        const q = convBn(y, br.split.steps[1]);
        y = cat([p, q], br.split.name);
      }
      outs.push(y);
    }
    x = cat(outs, name);
  }
  if (opts.includeTop) {
    x = L('GlobalAveragePooling2D', 'avg_pool', [x], [null, 2048]);
    const k = opts.classes ?? 1000;
    x = L('Dense', 'predictions', [x], [null, k], [[2048, k], [k]]);
  } else if (opts.pooling === 'avg') {
    x = L('GlobalAveragePooling2D', null, [x], [null, 2048]);
  } else if (opts.pooling === 'max') {
    x = L('GlobalMaxPooling2D', null, [x], [null, 2048]);
  }
  return kerasOrder(x);
}

function counts(rows: Row[]): { total: number; nonTrainable: number } {
  let total = 0;
  let nonTrainable = 0;
  for (const r of rows) {
    const sizes = r.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    total += sizes.reduce((a, b) => a + b, 0);
    if (r.className === 'BatchNormalization') nonTrainable += sizes.slice(-2).reduce((a, b) => a + b, 0);
  }
  return { total, nonTrainable };
}
function actual(model: Model): Row[] {
  return model.layers.map((l) => ({ name: l.name, className: l.className, shapes: l.weights.map((w) => [...w.shape]), out: [...(l.outputShape as Dim[])] }));
}
function nonTrainable(model: Model): number {
  return model.nonTrainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

describe('InceptionV3 reference (independent of the code under test)', () => {
  it("reproduces Keras' published counts: 23,851,784 (34,432 non-trainable); 21,802,784 without the top", () => {
    expect(counts(inceptionReference({ includeTop: true, size: 299 }))).toEqual({ total: 23851784, nonTrainable: 34432 });
    expect(counts(inceptionReference({ includeTop: false, size: 299 })).total).toBe(21802784);
  });

  it('spells out the first and last layers literally', () => {
    const rows = inceptionReference({ includeTop: true, size: 299 });
    expect(rows.length).toBe(313);
    expect(rows.slice(0, 12)).toEqual([
      { name: 'input_layer', className: 'InputLayer', shapes: [], out: [null, 299, 299, 3] },
      { name: 'conv2d', className: 'Conv2D', shapes: [[3, 3, 3, 32]], out: [null, 149, 149, 32] },
      { name: 'batch_normalization', className: 'BatchNormalization', shapes: [[32], [32], [32]], out: [null, 149, 149, 32] },
      { name: 'activation', className: 'Activation', shapes: [], out: [null, 149, 149, 32] },
      { name: 'conv2d_1', className: 'Conv2D', shapes: [[3, 3, 32, 32]], out: [null, 147, 147, 32] },
      { name: 'batch_normalization_1', className: 'BatchNormalization', shapes: [[32], [32], [32]], out: [null, 147, 147, 32] },
      { name: 'activation_1', className: 'Activation', shapes: [], out: [null, 147, 147, 32] },
      { name: 'conv2d_2', className: 'Conv2D', shapes: [[3, 3, 32, 64]], out: [null, 147, 147, 64] },
      { name: 'batch_normalization_2', className: 'BatchNormalization', shapes: [[64], [64], [64]], out: [null, 147, 147, 64] },
      { name: 'activation_2', className: 'Activation', shapes: [], out: [null, 147, 147, 64] },
      { name: 'max_pooling2d', className: 'MaxPooling2D', shapes: [], out: [null, 73, 73, 64] },
      { name: 'conv2d_3', className: 'Conv2D', shapes: [[1, 1, 64, 80]], out: [null, 73, 73, 80] },
    ]);
    // mixed0: the branch convs at equal depth are interleaved as Keras' DFS reaches them.
    const m0 = rows.findIndex((r) => r.name === 'mixed0');
    expect(rows[m0]!.out).toEqual([null, 35, 35, 256]);
    expect(rows.find((r) => r.name === 'mixed3')!.out).toEqual([null, 17, 17, 768]);
    expect(rows.find((r) => r.name === 'mixed8')!.out).toEqual([null, 8, 8, 1280]);
    // The four inputs of mixed10 are the only layers at their depth: Keras' DFS reaches them in concatenation order.
    expect(rows.slice(-7).map((r) => [r.name, r.className, r.out])).toEqual([
      ['activation_85', 'Activation', [null, 8, 8, 320]],
      ['mixed9_1', 'Concatenate', [null, 8, 8, 768]],
      ['concatenate_1', 'Concatenate', [null, 8, 8, 768]],
      ['activation_93', 'Activation', [null, 8, 8, 192]],
      ['mixed10', 'Concatenate', [null, 8, 8, 2048]],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 2048]],
      ['predictions', 'Dense', [null, 1000]],
    ]);
  });
});

describe('InceptionV3 against the reference', () => {
  it('299, top: every layer name, class, weight shapes and output shape; counts; name', async () => {
    clearSession();
    const m = await InceptionV3({ weights: null });
    expect(m.name).toBe('inception_v3');
    expect(actual(m)).toEqual(inceptionReference({ includeTop: true, size: 299 }));
    expect(m.countParams()).toBe(23851784);
    expect(nonTrainable(m)).toBe(34432);
    const bn = m.getLayer('batch_normalization').getConfig();
    expect([bn.scale, bn.center, bn.epsilon, bn.momentum]).toEqual([false, true, 1e-3, 0.99]);
    m.dispose();
  });

  it('no top: 21,802,784 params, unknown size by default; pooling avg / max', async () => {
    clearSession();
    const free = await InceptionV3({ weights: null, includeTop: false });
    expect(free.countParams()).toBe(21802784);
    expect(actual(free)).toEqual(inceptionReference({ includeTop: false, size: null }));
    expect(free.outputs[0]!.shape).toEqual([null, null, null, 2048]);
    free.dispose();
    for (const pooling of ['avg', 'max'] as const) {
      clearSession();
      const m = await InceptionV3({ weights: null, includeTop: false, pooling, inputShape: [75, 75, 3] });
      expect(actual(m)).toEqual(inceptionReference({ includeTop: false, pooling, size: 75 }));
      expect(m.layers.at(-1)!.className).toBe(pooling === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D');
      expect(m.outputs[0]!.shape).toEqual([null, 2048]);
      m.dispose();
    }
  });

  it('inputTensor and name', async () => {
    clearSession();
    const inp = Input({ shape: [80, 90, 3], name: 'img' });
    const m = await InceptionV3({ weights: null, includeTop: false, inputTensor: inp, name: 'iv3' });
    expect(m.inputs[0]).toBe(inp);
    expect(m.name).toBe('iv3');
    // 80 -> 39 -> 37 -> 18 -> 16 -> 7 -> 3 -> 1 rows; 90 -> 44 -> 42 -> 20 -> 18 -> 8 -> 3 -> 1 cols.
    expect(m.outputs[0]!.shape).toEqual([null, 1, 1, 2048]);
    m.dispose();
  });
});

// ---- float64 forward reference of the whole of InceptionV3 at 75x75 ----

interface Img {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
/** TF's 'same' padding: the odd pixel goes after. */
function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
function conv(x: Img, kernel: number[], kh: number, kw: number, f: number, s: number, same: boolean): Img {
  const [pt] = same ? samePads(x.h, kh, s) : [0];
  const [pl] = same ? samePads(x.w, kw, s) : [0];
  const h = same ? Math.ceil(x.h / s) : Math.floor((x.h - kh) / s) + 1;
  const w = same ? Math.ceil(x.w / s) : Math.floor((x.w - kw) / s) + 1;
  const d = new Float64Array(h * w * f);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let a = 0; a < kh; a++) {
        const r = i * s + a - pt!;
        if (r < 0 || r >= x.h) continue;
        for (let b = 0; b < kw; b++) {
          const q = j * s + b - pl!;
          if (q < 0 || q >= x.w) continue;
          for (let c = 0; c < x.c; c++) {
            const v = x.d[(r * x.w + q) * x.c + c]!;
            const base = ((a * kw + b) * x.c + c) * f;
            const o = (i * w + j) * f;
            for (let z = 0; z < f; z++) d[o + z] = d[o + z]! + v * kernel[base + z]!;
          }
        }
      }
  return { h, w, c: f, d };
}
/** 3x3 pooling: max with stride 2 'valid', or average with stride 1 'same' over the real pixels only. */
function pool3(x: Img, mode: 'max' | 'avg'): Img {
  const s = mode === 'max' ? 2 : 1;
  const off = mode === 'max' ? 0 : -1;
  const h = mode === 'max' ? Math.floor((x.h - 3) / 2) + 1 : x.h;
  const w = mode === 'max' ? Math.floor((x.w - 3) / 2) + 1 : x.w;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < x.c; c++) {
        let acc = mode === 'max' ? -Infinity : 0;
        let n = 0;
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) {
            const r = i * s + a + off;
            const q = j * s + b + off;
            if (r < 0 || r >= x.h || q < 0 || q >= x.w) continue;
            const v = x.d[(r * x.w + q) * x.c + c]!;
            acc = mode === 'max' ? Math.max(acc, v) : acc + v;
            n++;
          }
        d[(i * w + j) * x.c + c] = mode === 'max' ? acc : acc / n;
      }
  return { h, w, c: x.c, d };
}
function concat(xs: Img[]): Img {
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

/** Keras' InceptionV3 restated by hand; the n-th conv2d_bn call uses conv2d_n / batch_normalization_n. */
function inceptionV3Forward(W: Map<string, number[][]>, img: Img): number[] {
  let n = 0;
  const cb = (x: Img, f: number, kh: number, kw: number, s = 1, same = true): Img => {
    const sfx = n === 0 ? '' : `_${n}`;
    n++;
    const y = conv(x, W.get(`conv2d${sfx}`)![0]!, kh, kw, f, s, same);
    const [beta, mean, variance] = W.get(`batch_normalization${sfx}`)!;
    return { ...y, d: y.d.map((v, i) => Math.max(0, (v - mean![i % f]!) / Math.sqrt(variance![i % f]! + 1e-3) + beta![i % f]!)) };
  };
  let x = cb(img, 32, 3, 3, 2, false);
  x = cb(x, 32, 3, 3, 1, false);
  x = cb(x, 64, 3, 3);
  x = pool3(x, 'max');
  x = cb(x, 80, 1, 1, 1, false);
  x = cb(x, 192, 3, 3, 1, false);
  x = pool3(x, 'max');
  for (const p of [32, 64, 64]) {
    const b1 = cb(x, 64, 1, 1);
    const b5 = cb(cb(x, 48, 1, 1), 64, 5, 5);
    const b3 = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = cb(pool3(x, 'avg'), p, 1, 1);
    x = concat([b1, b5, b3, bp]);
  }
  {
    const b3 = cb(x, 384, 3, 3, 2, false);
    const bd = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, false);
    x = concat([b3, bd, pool3(x, 'max')]);
  }
  for (const c of [128, 160, 160, 192]) {
    const b1 = cb(x, 192, 1, 1);
    const b7 = cb(cb(cb(x, c, 1, 1), c, 1, 7), 192, 7, 1);
    const bd = cb(cb(cb(cb(cb(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7);
    const bp = cb(pool3(x, 'avg'), 192, 1, 1);
    x = concat([b1, b7, bd, bp]);
  }
  {
    const b3 = cb(cb(x, 192, 1, 1), 320, 3, 3, 2, false);
    const b7 = cb(cb(cb(cb(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, false);
    x = concat([b3, b7, pool3(x, 'max')]);
  }
  for (let i = 0; i < 2; i++) {
    const b1 = cb(x, 320, 1, 1);
    const t = cb(x, 384, 1, 1);
    const b3 = concat([cb(t, 384, 1, 3), cb(t, 384, 3, 1)]);
    const u = cb(cb(x, 448, 1, 1), 384, 3, 3);
    const bd = concat([cb(u, 384, 1, 3), cb(u, 384, 3, 1)]);
    const bp = cb(pool3(x, 'avg'), 192, 1, 1);
    x = concat([b1, b3, bd, bp]);
  }
  const [k, bias] = W.get('predictions')!;
  const units = bias!.length;
  const mean = Array.from({ length: x.c }, (_, c) => {
    let s = 0;
    for (let p = 0; p < x.h * x.w; p++) s += x.d[p * x.c + c]!;
    return s / (x.h * x.w);
  });
  return Array.from({ length: units }, (_, o) => bias![o]! + mean.reduce((s, m, c) => s + m * k![c * units + o]!, 0));
}

function fill(model: Model, seed: number): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const positive = v.path.endsWith('moving_variance');
    const scale = v.shape.length === 4 ? 1.5 / Math.sqrt(v.shape[0]! * v.shape[1]! * v.shape[2]!) : 0.3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = positive ? 0.5 + next() : (next() - 0.5) * 2 * scale;
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

describe('InceptionV3 forward pass', () => {
  it('at 75x75 (odd sizes, asymmetric kernels, same-padded average pools), 4 logits: equals a float64 re-implementation; no leak', async () => {
    clearSession();
    const before = memory().numTensors;
    const m = await InceptionV3({ weights: null, inputShape: [75, 75, 3], classes: 4, classifierActivation: null });
    fill(m, 5);
    const data = Array.from({ length: 75 * 75 * 3 }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.11));
    const t = tensor(data, [1, 75, 75, 3]);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const W = new Map(m.layers.map((l) => [l.name, l.weights.map((v) => v.value.dataSync() as unknown as number[])]));
    const want = inceptionV3Forward(W, { h: 75, w: 75, c: 3, d: Float64Array.from(Float32Array.from(data)) });
    expect(got.every(Number.isFinite)).toBe(true);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-3); // not a degenerate all-zero net
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    t.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe('InceptionV3 weights and arguments', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-inception-'));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    rmSync(dir, { recursive: true, force: true });
  });

  it('weights: <path of a Keras-layout .h5> (notop, 75x75): every weight lands in its layer', async () => {
    clearSession();
    const rows = inceptionReference({ includeTop: false, size: 75 });
    const pos = new Map(rows.map((r, i) => [r.name, i]));
    const code = (layer: string, j: number) => pos.get(layer)! * 10 + j;
    const src = await InceptionV3({ weights: null, includeTop: false, inputShape: [75, 75, 3] });
    for (const l of src.layers) l.weights.forEach((v, j) => {
        tidy(() => v.assign(tensor(new Float32Array(v.shape.reduce((a, b) => a * b, 1)).fill(code(l.name, j)), v.shape)));
      });
    const file = join(dir, 'iv3.h5');
    writeFileSync(file, await writeLegacyWeights(src));
    src.dispose();
    clearSession();
    const before = memory().numTensors;
    const m = await InceptionV3({ weights: file, includeTop: false, inputShape: [75, 75, 3] });
    let checked = 0;
    for (const l of m.layers) {
      l.weights.forEach((v, j) => {
        const vals = v.value.dataSync();
        expect([vals[0], vals[vals.length - 1]]).toEqual([code(l.name, j), code(l.name, j)]);
        checked++;
      });
    }
    expect(checked).toBe(rows.reduce((s, r) => s + r.shapes.length, 0));
    m.dispose();
    expect(memory().numTensors).toBe(before);
  }, 60000);

  it("weights: 'imagenet' offline names Keras' file and URL; nothing leaks", async () => {
    clearSession();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('fetch failed');
      }),
    );
    const prev = [process.env.STRATA_HOME, process.env.KERAS_HOME];
    process.env.STRATA_HOME = join(dir, 'strata');
    process.env.KERAS_HOME = join(dir, 'keras');
    const before = memory().numTensors;
    const err = await InceptionV3({ includeTop: false, inputShape: [75, 75, 3] }).catch((e: Error) => e);
    expect((err as Error).message).toContain('https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(memory().numTensors).toBe(before);
    for (const [k, v] of [
      ['STRATA_HOME', prev[0]],
      ['KERAS_HOME', prev[1]],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("Keras' argument checks", async () => {
    const before = memory().numTensors;
    await expect(InceptionV3({ classes: 10 })).rejects.toThrow('If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes=10');
    await expect(InceptionV3({ weights: join(tmpdir(), 'no-such-iv3.h5') })).rejects.toThrow(/or the path to the weights file to be loaded; Received: weights=.*no-such-iv3\.h5/);
    await expect(InceptionV3({ weights: null, includeTop: false, inputShape: [74, 100, 3] })).rejects.toThrow('Input size must be at least 75x75; Received: input_shape=(74, 100, 3)');
    await expect(InceptionV3({ inputShape: [224, 224, 3] })).rejects.toThrow('`input_shape` should be (299, 299, 3)');
    await expect(InceptionV3({ classifierActivation: 'sigmoid' })).rejects.toThrow(/Only `None` and `softmax` activations are allowed.*sigmoid/);
    await expect(InceptionV3({ weights: null, includeTop: false, pooling: 'min' as never })).rejects.toThrow("InceptionV3: `pooling` must be null, 'avg' or 'max'; Received: pooling=min");
    expect(memory().numTensors).toBe(before);
  });

  it("inceptionV3PreprocessInput is Keras' tf mode: x / 127.5 - 1", () => {
    const y = inceptionV3PreprocessInput(tensor([0, 127.5, 255, 51], [1, 4]));
    expectAllClose(Array.from(y.dataSync()), [-1, 0, 1, 51 / 127.5 - 1], { atol: 1e-6, rtol: 1e-6 });
    y.dispose();
  });
});
