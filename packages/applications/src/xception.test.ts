import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Xception, xceptionPreprocessInput } from './xception';

// ---- An independent description of Keras' Xception (keras/src/applications/xception.py) ----

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
  Add: 'add',
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

/** The paper's Figure 5 as Keras builds it: entry flow, 8 middle blocks, exit flow. */
function xceptionReference(opts: { includeTop: boolean; classes?: number; pooling?: 'avg' | 'max'; size: number | null }): Row[] {
  const L = recorder();
  const valid = (n: Dim, k: number, s: number): Dim => (n == null ? null : Math.floor((n - k) / s) + 1);
  const half = (n: Dim): Dim => (n == null ? null : Math.ceil(n / 2));
  const bnW = (c: number) => [[c], [c], [c], [c]];
  const bn = (x: Rec, name: string | null) => L('BatchNormalization', name, [x], x.out, bnW(x.out[3] as number));
  const act = (x: Rec, name: string) => L('Activation', name, [x], x.out);
  const sep = (x: Rec, f: number, name: string) => L('SeparableConv2D', name, [x], [null, x.out[1]!, x.out[2]!, f], [[3, 3, x.out[3] as number, 1], [1, 1, x.out[3] as number, f]]);
  const down = (x: Rec, b: number, f1: number, f2: number, relu: boolean): Rec => {
    const r = bn(L('Conv2D', null, [x], [null, half(x.out[1]!), half(x.out[2]!), f2], [[1, 1, x.out[3] as number, f2]]), null);
    let y = relu ? act(x, `block${b}_sepconv1_act`) : x;
    y = bn(sep(y, f1, `block${b}_sepconv1`), `block${b}_sepconv1_bn`);
    y = bn(sep(act(y, `block${b}_sepconv2_act`), f2, `block${b}_sepconv2`), `block${b}_sepconv2_bn`);
    y = L('MaxPooling2D', `block${b}_pool`, [y], [null, half(y.out[1]!), half(y.out[2]!), f2]);
    return L('Add', null, [y, r], y.out);
  };
  let x = L('InputLayer', null, [], [null, opts.size, opts.size, 3]);
  x = L('Conv2D', 'block1_conv1', [x], [null, valid(x.out[1]!, 3, 2), valid(x.out[2]!, 3, 2), 32], [[3, 3, 3, 32]]);
  x = act(bn(x, 'block1_conv1_bn'), 'block1_conv1_act');
  x = L('Conv2D', 'block1_conv2', [x], [null, valid(x.out[1]!, 3, 1), valid(x.out[2]!, 3, 1), 64], [[3, 3, 32, 64]]);
  x = act(bn(x, 'block1_conv2_bn'), 'block1_conv2_act');
  x = down(x, 2, 128, 128, false);
  x = down(x, 3, 256, 256, true);
  x = down(x, 4, 728, 728, true);
  for (let b = 5; b <= 12; b++) {
    const res = x;
    for (let j = 1; j <= 3; j++) x = bn(sep(act(x, `block${b}_sepconv${j}_act`), 728, `block${b}_sepconv${j}`), `block${b}_sepconv${j}_bn`);
    x = L('Add', null, [x, res], x.out);
  }
  x = down(x, 13, 728, 1024, true);
  x = act(bn(sep(x, 1536, 'block14_sepconv1'), 'block14_sepconv1_bn'), 'block14_sepconv1_act');
  x = act(bn(sep(x, 2048, 'block14_sepconv2'), 'block14_sepconv2_bn'), 'block14_sepconv2_act');
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

describe('Xception reference (independent of the code under test)', () => {
  it("reproduces Keras' published counts: 22,910,480 (54,528 non-trainable); 20,861,480 without the top", () => {
    expect(counts(xceptionReference({ includeTop: true, size: 299 }))).toEqual({ total: 22910480, nonTrainable: 54528 });
    expect(counts(xceptionReference({ includeTop: false, size: 299 })).total).toBe(20861480);
  });

  it('spells out the first layers and the residual interleaving literally', () => {
    const rows = xceptionReference({ includeTop: true, size: 299 });
    expect(rows.length).toBe(134);
    expect(rows.slice(0, 20).map((r) => [r.name, r.className, r.out])).toEqual([
      ['input_layer', 'InputLayer', [null, 299, 299, 3]],
      ['block1_conv1', 'Conv2D', [null, 149, 149, 32]],
      ['block1_conv1_bn', 'BatchNormalization', [null, 149, 149, 32]],
      ['block1_conv1_act', 'Activation', [null, 149, 149, 32]],
      ['block1_conv2', 'Conv2D', [null, 147, 147, 64]],
      ['block1_conv2_bn', 'BatchNormalization', [null, 147, 147, 64]],
      ['block1_conv2_act', 'Activation', [null, 147, 147, 64]],
      ['block2_sepconv1', 'SeparableConv2D', [null, 147, 147, 128]],
      ['block2_sepconv1_bn', 'BatchNormalization', [null, 147, 147, 128]],
      ['block2_sepconv2_act', 'Activation', [null, 147, 147, 128]],
      ['block2_sepconv2', 'SeparableConv2D', [null, 147, 147, 128]],
      ['block2_sepconv2_bn', 'BatchNormalization', [null, 147, 147, 128]],
      // The projection shortcut sits at the depth of the pool, so Keras lists it there.
      ['conv2d', 'Conv2D', [null, 74, 74, 128]],
      ['block2_pool', 'MaxPooling2D', [null, 74, 74, 128]],
      ['batch_normalization', 'BatchNormalization', [null, 74, 74, 128]],
      ['add', 'Add', [null, 74, 74, 128]],
      ['block3_sepconv1_act', 'Activation', [null, 74, 74, 128]],
      ['block3_sepconv1', 'SeparableConv2D', [null, 74, 74, 256]],
      ['block3_sepconv1_bn', 'BatchNormalization', [null, 74, 74, 256]],
      ['block3_sepconv2_act', 'Activation', [null, 74, 74, 256]],
    ]);
    expect(rows.find((r) => r.name === 'block2_sepconv1')!.shapes).toEqual([
      [3, 3, 64, 1],
      [1, 1, 64, 128],
    ]);
    expect(rows.slice(-6).map((r) => [r.name, r.className, r.out])).toEqual([
      ['block14_sepconv1_act', 'Activation', [null, 10, 10, 1536]],
      ['block14_sepconv2', 'SeparableConv2D', [null, 10, 10, 2048]],
      ['block14_sepconv2_bn', 'BatchNormalization', [null, 10, 10, 2048]],
      ['block14_sepconv2_act', 'Activation', [null, 10, 10, 2048]],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 2048]],
      ['predictions', 'Dense', [null, 1000]],
    ]);
  });
});

describe('Xception against the reference', () => {
  it('299, top: every layer name, class, weight shapes and output shape; counts; name', async () => {
    clearSession();
    const m = await Xception({ weights: null });
    expect(m.name).toBe('xception');
    expect(actual(m)).toEqual(xceptionReference({ includeTop: true, size: 299 }));
    expect(m.countParams()).toBe(22910480);
    expect(nonTrainable(m)).toBe(54528);
    const bn = m.getLayer('block1_conv1_bn').getConfig();
    expect([bn.epsilon, bn.momentum]).toEqual([1e-3, 0.99]);
    m.dispose();
  });

  it('no top: 20,861,480 params, unknown size by default; pooling avg / max', async () => {
    clearSession();
    const free = await Xception({ weights: null, includeTop: false });
    expect(free.countParams()).toBe(20861480);
    expect(actual(free)).toEqual(xceptionReference({ includeTop: false, size: null }));
    expect(free.outputs[0]!.shape).toEqual([null, null, null, 2048]);
    free.dispose();
    for (const pooling of ['avg', 'max'] as const) {
      clearSession();
      const m = await Xception({ weights: null, includeTop: false, pooling, inputShape: [71, 71, 3] });
      expect(actual(m)).toEqual(xceptionReference({ includeTop: false, pooling, size: 71 }));
      expect(m.layers.at(-1)!.className).toBe(pooling === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D');
      expect(m.outputs[0]!.shape).toEqual([null, 2048]);
      m.dispose();
    }
  });

  it('inputTensor and name', async () => {
    clearSession();
    const inp = Input({ shape: [96, 80, 3], name: 'img' });
    const m = await Xception({ weights: null, includeTop: false, inputTensor: inp, name: 'xc' });
    expect(m.inputs[0]).toBe(inp);
    expect(m.name).toBe('xc');
    // rows 96 -> 47 -> 45 -> 23 -> 12 -> 6 -> 3; cols 80 -> 39 -> 37 -> 19 -> 10 -> 5 -> 3.
    expect(m.outputs[0]!.shape).toEqual([null, 3, 3, 2048]);
    m.dispose();
  });
});

// ---- float64 forward reference of the whole of Xception at 71x71 ----

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
function depthwise3(x: Img, kernel: number[]): Img {
  const d = new Float64Array(x.h * x.w * x.c);
  for (let i = 0; i < x.h; i++)
    for (let j = 0; j < x.w; j++)
      for (let a = 0; a < 3; a++) {
        const r = i + a - 1;
        if (r < 0 || r >= x.h) continue;
        for (let b = 0; b < 3; b++) {
          const q = j + b - 1;
          if (q < 0 || q >= x.w) continue;
          for (let c = 0; c < x.c; c++) d[(i * x.w + j) * x.c + c] = d[(i * x.w + j) * x.c + c]! + x.d[(r * x.w + q) * x.c + c]! * kernel[(a * 3 + b) * x.c + c]!;
        }
      }
  return { ...x, d };
}
/** 3x3 stride-2 'same' max pooling (TF puts the odd padding pixel after). */
function maxPoolSame(x: Img): Img {
  const [pt] = samePads(x.h, 3, 2);
  const [pl] = samePads(x.w, 3, 2);
  const h = Math.ceil(x.h / 2);
  const w = Math.ceil(x.w / 2);
  const d = new Float64Array(h * w * x.c).fill(-Infinity);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 3; b++) {
          const r = i * 2 + a - pt;
          const q = j * 2 + b - pl;
          if (r < 0 || r >= x.h || q < 0 || q >= x.w) continue;
          for (let c = 0; c < x.c; c++) d[(i * w + j) * x.c + c] = Math.max(d[(i * w + j) * x.c + c]!, x.d[(r * x.w + q) * x.c + c]!);
        }
  return { h, w, c: x.c, d };
}
const add = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });
const relu = (x: Img): Img => ({ ...x, d: x.d.map((v) => Math.max(0, v)) });

/** Keras' Xception restated by hand from the paper's Figure 5 and Keras' layer names. */
function xceptionForward(W: Map<string, number[][]>, img: Img): number[] {
  const bn = (x: Img, name: string): Img => {
    const [g, b, m, v] = W.get(name)!;
    return { ...x, d: x.d.map((y, i) => ((y - m![i % x.c]!) / Math.sqrt(v![i % x.c]! + 1e-3)) * g![i % x.c]! + b![i % x.c]!) };
  };
  const sep = (x: Img, name: string, f: number): Img => {
    const [dk, pk] = W.get(name)!;
    return conv(depthwise3(x, dk!), pk!, 1, 1, f, 1, true);
  };
  let shortcutId = 0;
  const down = (x: Img, b: number, f1: number, f2: number, pre: boolean): Img => {
    const sfx = shortcutId === 0 ? '' : `_${shortcutId}`;
    shortcutId++;
    const res = bn(conv(x, W.get(`conv2d${sfx}`)![0]!, 1, 1, f2, 2, true), `batch_normalization${sfx}`);
    let y = pre ? relu(x) : x;
    y = bn(sep(y, `block${b}_sepconv1`, f1), `block${b}_sepconv1_bn`);
    y = bn(sep(relu(y), `block${b}_sepconv2`, f2), `block${b}_sepconv2_bn`);
    return add(maxPoolSame(y), res);
  };
  let x = relu(bn(conv(img, W.get('block1_conv1')![0]!, 3, 3, 32, 2, false), 'block1_conv1_bn'));
  x = relu(bn(conv(x, W.get('block1_conv2')![0]!, 3, 3, 64, 1, false), 'block1_conv2_bn'));
  x = down(x, 2, 128, 128, false);
  x = down(x, 3, 256, 256, true);
  x = down(x, 4, 728, 728, true);
  for (let b = 5; b <= 12; b++) {
    let y = x;
    for (let j = 1; j <= 3; j++) y = bn(sep(relu(y), `block${b}_sepconv${j}`, 728), `block${b}_sepconv${j}_bn`);
    x = add(y, x);
  }
  x = down(x, 13, 728, 1024, true);
  x = relu(bn(sep(x, 'block14_sepconv1', 1536), 'block14_sepconv1_bn'));
  x = relu(bn(sep(x, 'block14_sepconv2', 2048), 'block14_sepconv2_bn'));
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
    const positive = v.path.endsWith('moving_variance') || v.path.endsWith('gamma');
    const scale = v.shape.length === 4 ? 1.5 / Math.sqrt(v.shape[0]! * v.shape[1]! * (v.path.endsWith('depthwise_kernel') ? 1 : v.shape[2]!)) : 0.3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = positive ? 0.5 + next() : (next() - 0.5) * 2 * scale;
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

describe('Xception forward pass and weights', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-xception-'));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    rmSync(dir, { recursive: true, force: true });
  });

  it('at 71x71 (odd sizes through the same-padded strided pools and shortcuts), 3 logits: equals a float64 re-implementation; no leak', async () => {
    clearSession();
    const before = memory().numTensors;
    const m = await Xception({ weights: null, inputShape: [71, 71, 3], classes: 3, classifierActivation: null });
    fill(m, 9);
    const data = Array.from({ length: 71 * 71 * 3 }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.11));
    const t = tensor(data, [1, 71, 71, 3]);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const W = new Map(m.layers.map((l) => [l.name, l.weights.map((v) => v.value.dataSync() as unknown as number[])]));
    const want = xceptionForward(W, { h: 71, w: 71, c: 3, d: Float64Array.from(Float32Array.from(data)) });
    expect(got.every(Number.isFinite)).toBe(true);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-3);
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    t.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('weights: <path of a Keras-layout .h5> (notop, 71x71): every weight lands in its layer', async () => {
    clearSession();
    const rows = xceptionReference({ includeTop: false, size: 71 });
    const pos = new Map(rows.map((r, i) => [r.name, i]));
    const code = (layer: string, j: number) => pos.get(layer)! * 10 + j;
    const src = await Xception({ weights: null, includeTop: false, inputShape: [71, 71, 3] });
    for (const l of src.layers) l.weights.forEach((v, j) => {
        tidy(() => v.assign(tensor(new Float32Array(v.shape.reduce((a, b) => a * b, 1)).fill(code(l.name, j)), v.shape)));
      });
    const file = join(dir, 'xception.h5');
    writeFileSync(file, await writeLegacyWeights(src));
    src.dispose();
    clearSession();
    const before = memory().numTensors;
    const m = await Xception({ weights: file, includeTop: false, inputShape: [71, 71, 3] });
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
    const err = await Xception({ includeTop: true }).catch((e: Error) => e);
    expect((err as Error).message).toContain('https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5');
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
    await expect(Xception({ classes: 10 })).rejects.toThrow("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10");
    await expect(Xception({ weights: join(tmpdir(), 'no-such-xc.h5') })).rejects.toThrow(/'imagenet' \(pre-training on ImageNet\), or the path to the weights file to be loaded\. \(Xception received weights=.*no-such-xc\.h5\)/);
    await expect(Xception({ weights: null, includeTop: false, inputShape: [70, 100, 3] })).rejects.toThrow('Input size must be at least 71x71; Received: input_shape=(70, 100, 3)');
    await expect(Xception({ inputShape: [224, 224, 3] })).rejects.toThrow('`input_shape` should be (299, 299, 3)');
    await expect(Xception({ classifierActivation: 'tanh' })).rejects.toThrow(/Only `None` and `softmax` activations are allowed.*tanh/);
    await expect(Xception({ weights: null, includeTop: false, pooling: 'sum' as never })).rejects.toThrow("Xception: `pooling` must be null, 'avg' or 'max'; Received: pooling=sum");
    expect(memory().numTensors).toBe(before);
  });

  it("xceptionPreprocessInput is Keras' tf mode: x / 127.5 - 1", () => {
    const y = xceptionPreprocessInput(tensor([0, 127.5, 255, 25.5], [1, 1, 4]));
    expectAllClose(Array.from(y.dataSync()), [-1, 0, 1, 25.5 / 127.5 - 1], { atol: 1e-6, rtol: 1e-6 });
    y.dispose();
  });
});
