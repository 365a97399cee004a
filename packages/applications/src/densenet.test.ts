import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DenseNet121, DenseNet169, DenseNet201, densenetPreprocessInput } from './densenet';

// ---- An independent description of Keras' DenseNet (keras/src/applications/densenet.py) ----

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

/** Keras' automatic layer names (`conv2d`, `conv2d_1`, ...) counted per prefix in a fresh session. */
const AUTO: Record<string, string> = {
  InputLayer: 'input_layer',
  ZeroPadding2D: 'zero_padding2d',
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

const BLOCKS: Record<string, number[]> = { densenet121: [6, 12, 24, 16], densenet169: [6, 12, 32, 32], densenet201: [6, 12, 48, 32] };

/** DenseNet-BC from the paper's table: growth 32, bottleneck 4k, compression 0.5; Keras' names. */
function densenetReference(blocks: number[], opts: { includeTop: boolean; classes?: number; pooling?: 'avg' | 'max'; size: number | null }): Row[] {
  const L = recorder();
  const bnW = (c: number) => [[c], [c], [c], [c]];
  const valid = (n: Dim, k: number, s: number): Dim => (n == null ? null : Math.floor((n - k) / s) + 1);
  const S = opts.size;
  let x = L('InputLayer', null, [], [null, S, S, 3]);
  const pad = (inp: Rec, p: number) => L('ZeroPadding2D', null, [inp], [null, inp.out[1] == null ? null : inp.out[1]! + 2 * p, inp.out[2] == null ? null : inp.out[2]! + 2 * p, inp.out[3]!]);
  const bn = (inp: Rec, name: string) => L('BatchNormalization', name, [inp], inp.out, bnW(inp.out[3] as number));
  const relu = (inp: Rec, name: string) => L('Activation', name, [inp], inp.out);
  const conv = (inp: Rec, name: string, f: number, k: number, s: number, same: boolean) => {
    const h = same ? inp.out[1] : valid(inp.out[1]!, k, s);
    const w = same ? inp.out[2] : valid(inp.out[2]!, k, s);
    return L('Conv2D', name, [inp], [null, h!, w!, f], [[k, k, inp.out[3] as number, f]]);
  };
  x = pad(x, 3);
  x = conv(x, 'conv1_conv', 64, 7, 2, false);
  x = relu(bn(x, 'conv1_bn'), 'conv1_relu');
  x = pad(x, 1);
  x = L('MaxPooling2D', 'pool1', [x], [null, valid(x.out[1]!, 3, 2), valid(x.out[2]!, 3, 2), x.out[3]!]);
  blocks.forEach((n, stage) => {
    for (let i = 1; i <= n; i++) {
      const p = `conv${stage + 2}_block${i}`;
      let y = relu(bn(x, `${p}_0_bn`), `${p}_0_relu`);
      y = conv(y, `${p}_1_conv`, 128, 1, 1, true);
      y = relu(bn(y, `${p}_1_bn`), `${p}_1_relu`);
      y = conv(y, `${p}_2_conv`, 32, 3, 1, true);
      x = L('Concatenate', `${p}_concat`, [x, y], [null, x.out[1]!, x.out[2]!, (x.out[3] as number) + 32]);
    }
    if (stage < 3) {
      const p = `pool${stage + 2}`;
      let y = relu(bn(x, `${p}_bn`), `${p}_relu`);
      y = conv(y, `${p}_conv`, Math.floor((x.out[3] as number) / 2), 1, 1, true);
      x = L('AveragePooling2D', `${p}_pool`, [y], [null, valid(y.out[1]!, 2, 2), valid(y.out[2]!, 2, 2), y.out[3]!]);
    }
  });
  x = relu(bn(x, 'bn'), 'relu');
  const c = x.out[3] as number;
  if (opts.includeTop) {
    x = L('GlobalAveragePooling2D', 'avg_pool', [x], [null, c]);
    const k = opts.classes ?? 1000;
    x = L('Dense', 'predictions', [x], [null, k], [[c, k], [k]]);
  } else if (opts.pooling === 'avg') {
    x = L('GlobalAveragePooling2D', 'avg_pool', [x], [null, c]);
  } else if (opts.pooling === 'max') {
    x = L('GlobalMaxPooling2D', 'max_pool', [x], [null, c]);
  }
  return kerasOrder(x);
}

function counts(rows: Row[]): { total: number; nonTrainable: number } {
  let total = 0;
  let nonTrainable = 0;
  for (const r of rows) {
    const sizes = r.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    total += sizes.reduce((a, b) => a + b, 0);
    // BatchNormalization's last two weights are the moving statistics.
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

// Keras' published totals (keras.io applications table, model.summary()).
const PUBLISHED = {
  densenet121: { top: 8062504 },
  densenet169: { top: 14307880 },
  densenet201: { top: 20242984 },
};

describe('DenseNet reference (independent of the code under test)', () => {
  it("reproduces Keras' published parameter counts and the notop = top - Dense rule", () => {
    for (const [name, pub] of Object.entries(PUBLISHED)) {
      const top = counts(densenetReference(BLOCKS[name]!, { includeTop: true, size: 224 }));
      const notop = counts(densenetReference(BLOCKS[name]!, { includeTop: false, size: 224 }));
      expect(top.total).toBe(pub.top);
      // The final BN has 1024/1664/1920 channels; the top adds a (c, 1000) kernel and 1000 biases.
      const c = { densenet121: 1024, densenet169: 1664, densenet201: 1920 }[name]!;
      expect(top.total - notop.total).toBe(c * 1000 + 1000);
    }
    expect(counts(densenetReference(BLOCKS.densenet121!, { includeTop: false, size: 224 }))).toEqual({ total: 7037504, nonTrainable: 83648 });
    expect(counts(densenetReference(BLOCKS.densenet169!, { includeTop: false, size: 224 })).total).toBe(12642880);
    expect(counts(densenetReference(BLOCKS.densenet201!, { includeTop: false, size: 224 })).total).toBe(18321984);
  });

  it('spells out the first and last layers of DenseNet121 literally', () => {
    const rows = densenetReference(BLOCKS.densenet121!, { includeTop: true, size: 224 });
    expect(rows.length).toBe(429);
    expect(rows.slice(0, 14)).toEqual([
      { name: 'input_layer', className: 'InputLayer', shapes: [], out: [null, 224, 224, 3] },
      { name: 'zero_padding2d', className: 'ZeroPadding2D', shapes: [], out: [null, 230, 230, 3] },
      { name: 'conv1_conv', className: 'Conv2D', shapes: [[7, 7, 3, 64]], out: [null, 112, 112, 64] },
      { name: 'conv1_bn', className: 'BatchNormalization', shapes: [[64], [64], [64], [64]], out: [null, 112, 112, 64] },
      { name: 'conv1_relu', className: 'Activation', shapes: [], out: [null, 112, 112, 64] },
      { name: 'zero_padding2d_1', className: 'ZeroPadding2D', shapes: [], out: [null, 114, 114, 64] },
      { name: 'pool1', className: 'MaxPooling2D', shapes: [], out: [null, 56, 56, 64] },
      { name: 'conv2_block1_0_bn', className: 'BatchNormalization', shapes: [[64], [64], [64], [64]], out: [null, 56, 56, 64] },
      { name: 'conv2_block1_0_relu', className: 'Activation', shapes: [], out: [null, 56, 56, 64] },
      { name: 'conv2_block1_1_conv', className: 'Conv2D', shapes: [[1, 1, 64, 128]], out: [null, 56, 56, 128] },
      { name: 'conv2_block1_1_bn', className: 'BatchNormalization', shapes: [[128], [128], [128], [128]], out: [null, 56, 56, 128] },
      { name: 'conv2_block1_1_relu', className: 'Activation', shapes: [], out: [null, 56, 56, 128] },
      { name: 'conv2_block1_2_conv', className: 'Conv2D', shapes: [[3, 3, 128, 32]], out: [null, 56, 56, 32] },
      { name: 'conv2_block1_concat', className: 'Concatenate', shapes: [], out: [null, 56, 56, 96] },
    ]);
    expect(rows.find((r) => r.name === 'pool2_conv')).toEqual({ name: 'pool2_conv', className: 'Conv2D', shapes: [[1, 1, 256, 128]], out: [null, 56, 56, 128] });
    expect(rows.find((r) => r.name === 'pool2_pool')!.out).toEqual([null, 28, 28, 128]);
    expect(rows.slice(-5)).toEqual([
      { name: 'conv5_block16_concat', className: 'Concatenate', shapes: [], out: [null, 7, 7, 1024] },
      { name: 'bn', className: 'BatchNormalization', shapes: [[1024], [1024], [1024], [1024]], out: [null, 7, 7, 1024] },
      { name: 'relu', className: 'Activation', shapes: [], out: [null, 7, 7, 1024] },
      { name: 'avg_pool', className: 'GlobalAveragePooling2D', shapes: [], out: [null, 1024] },
      { name: 'predictions', className: 'Dense', shapes: [[1024, 1000], [1000]], out: [null, 1000] },
    ]);
  });
});

describe('DenseNet121/169/201 against the reference', () => {
  it('DenseNet121 (224, top): every layer name, class, weight shapes and output shape; 8,062,504 params', async () => {
    clearSession();
    const m = await DenseNet121({ weights: null });
    expect(m.name).toBe('densenet121');
    expect(actual(m)).toEqual(densenetReference(BLOCKS.densenet121!, { includeTop: true, size: 224 }));
    expect(m.countParams()).toBe(8062504);
    expect(nonTrainable(m)).toBe(83648);
    m.getLayer('predictions');
    expect(m.getLayer('conv1_bn').getConfig().epsilon).toBe(1.001e-5);
    expect(m.getLayer('conv1_conv').getConfig().use_bias).toBe(false);
    m.dispose();
  });

  it.each([
    ['DenseNet169', DenseNet169, 'densenet169', 1664],
    ['DenseNet201', DenseNet201, 'densenet201', 1920],
  ] as const)('%s: layers and counts with and without the top', async (_n, fn, name, channels) => {
    clearSession();
    const top = await fn({ weights: null });
    expect(top.name).toBe(name);
    expect(actual(top)).toEqual(densenetReference(BLOCKS[name]!, { includeTop: true, size: 224 }));
    expect(top.countParams()).toBe(PUBLISHED[name].top);
    top.dispose();
    clearSession();
    const notop = await fn({ weights: null, includeTop: false, inputShape: [64, 64, 3] });
    expect(actual(notop)).toEqual(densenetReference(BLOCKS[name]!, { includeTop: false, size: 64 }));
    expect(notop.countParams()).toBe(PUBLISHED[name].top - channels * 1000 - 1000);
    expect(notop.outputs[0]!.shape).toEqual([null, 2, 2, channels]);
    notop.dispose();
  });

  it('no top: unknown size by default; pooling avg / max add avg_pool / max_pool', async () => {
    clearSession();
    const free = await DenseNet121({ weights: null, includeTop: false });
    expect(free.outputs[0]!.shape).toEqual([null, null, null, 1024]);
    expect(actual(free)).toEqual(densenetReference(BLOCKS.densenet121!, { includeTop: false, size: null }));
    expect(free.countParams()).toBe(7037504);
    free.dispose();
    for (const pooling of ['avg', 'max'] as const) {
      clearSession();
      const m = await DenseNet121({ weights: null, includeTop: false, pooling, inputShape: [32, 32, 3] });
      expect(actual(m)).toEqual(densenetReference(BLOCKS.densenet121!, { includeTop: false, pooling, size: 32 }));
      expect(m.layers.at(-1)!.name).toBe(pooling === 'avg' ? 'avg_pool' : 'max_pool');
      expect(m.outputs[0]!.shape).toEqual([null, 1024]);
      m.dispose();
    }
  });

  it('classes and a model name', async () => {
    clearSession();
    const m = await DenseNet121({ weights: null, classes: 7, inputShape: [224, 224, 3], name: 'dn' });
    expect(m.name).toBe('dn');
    expect(m.getLayer('predictions').weights.map((w) => w.shape)).toEqual([
      [1024, 7],
      [7],
    ]);
    m.dispose();
  });

  it('inputTensor: the model starts at its source Input', async () => {
    clearSession();
    const inp = Input({ shape: [40, 40, 3], name: 'img' });
    const m = await DenseNet121({ weights: null, includeTop: false, inputTensor: inp });
    expect(m.inputs[0]).toBe(inp);
    expect(m.layers[0]!.name).toBe('img');
    // 40 -> 20 -> 10 -> 5 -> 2 -> 1
    expect(m.outputs[0]!.shape).toEqual([null, 1, 1, 1024]);
    m.dispose();
  });
});

// ---- float64 forward reference of the whole of DenseNet121 at 32x32 ----

interface Img {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
const px = (x: Img, i: number, j: number, k: number) => x.d[(i * x.w + j) * x.c + k]!;
function zpad(x: Img, p: number): Img {
  const h = x.h + 2 * p;
  const w = x.w + 2 * p;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) for (let k = 0; k < x.c; k++) d[((i + p) * w + j + p) * x.c + k] = px(x, i, j, k);
  return { h, w, c: x.c, d };
}
/** Valid convolution, no bias; a 'same' 3x3 stride-1 conv is a valid one on a 1-pixel zero border. */
function conv(x: Img, kernel: number[], k: number, f: number, s: number): Img {
  const h = Math.floor((x.h - k) / s) + 1;
  const w = Math.floor((x.w - k) / s) + 1;
  const d = new Float64Array(h * w * f);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++)
          for (let c = 0; c < x.c; c++) {
            const v = px(x, i * s + a, j * s + b, c);
            const base = ((a * k + b) * x.c + c) * f;
            const o = (i * w + j) * f;
            for (let q = 0; q < f; q++) d[o + q] = d[o + q]! + v * kernel[base + q]!;
          }
  return { h, w, c: f, d };
}
const bnRelu = (x: Img, [g, b, m, v]: number[][]): Img => ({
  ...x,
  d: x.d.map((y, i) => {
    const k = i % x.c;
    return Math.max(0, ((y - m![k]!) / Math.sqrt(v![k]! + 1.001e-5)) * g![k]! + b![k]!);
  }),
});
function concat(a: Img, b: Img): Img {
  const c = a.c + b.c;
  const d = new Float64Array(a.h * a.w * c);
  for (let p = 0; p < a.h * a.w; p++) {
    for (let k = 0; k < a.c; k++) d[p * c + k] = a.d[p * a.c + k]!;
    for (let k = 0; k < b.c; k++) d[p * c + a.c + k] = b.d[p * b.c + k]!;
  }
  return { h: a.h, w: a.w, c, d };
}
function pool(x: Img, k: number, s: number, mode: 'max' | 'avg'): Img {
  const h = Math.floor((x.h - k) / s) + 1;
  const w = Math.floor((x.w - k) / s) + 1;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < x.c; c++) {
        let acc = mode === 'max' ? -Infinity : 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) acc = mode === 'max' ? Math.max(acc, px(x, i * s + a, j * s + b, c)) : acc + px(x, i * s + a, j * s + b, c) / (k * k);
        d[(i * w + j) * x.c + c] = acc;
      }
  return { h, w, c: x.c, d };
}

function densenet121Reference(W: Map<string, number[][]>, img: Img): number[] {
  let x = conv(zpad(img, 3), W.get('conv1_conv')![0]!, 7, 64, 2);
  x = pool(zpad(bnRelu(x, W.get('conv1_bn')!), 1), 3, 2, 'max');
  [6, 12, 24, 16].forEach((n, stage) => {
    for (let i = 1; i <= n; i++) {
      const p = `conv${stage + 2}_block${i}`;
      let y = conv(bnRelu(x, W.get(`${p}_0_bn`)!), W.get(`${p}_1_conv`)![0]!, 1, 128, 1);
      y = conv(zpad(bnRelu(y, W.get(`${p}_1_bn`)!), 1), W.get(`${p}_2_conv`)![0]!, 3, 32, 1);
      x = concat(x, y);
    }
    if (stage < 3) {
      const p = `pool${stage + 2}`;
      x = pool(conv(bnRelu(x, W.get(`${p}_bn`)!), W.get(`${p}_conv`)![0]!, 1, x.c / 2, 1), 2, 2, 'avg');
    }
  });
  x = bnRelu(x, W.get('bn')!);
  const [k, bias] = W.get('predictions')!;
  const units = bias!.length;
  const mean = Array.from({ length: x.c }, (_, c) => {
    let s = 0;
    for (let p = 0; p < x.h * x.w; p++) s += x.d[p * x.c + c]!;
    return s / (x.h * x.w);
  });
  return Array.from({ length: units }, (_, o) => bias![o]! + mean.reduce((s, m, c) => s + m * k![c * units + o]!, 0));
}

/** Deterministic values for every weight; BN variance and gamma kept positive. */
function fill(model: Model, seed: number): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const positive = v.path.endsWith('moving_variance') || v.path.endsWith('gamma');
    const scale = v.shape.length === 4 ? 1 / Math.sqrt(v.shape[0]! * v.shape[1]! * v.shape[2]!) : 0.3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = positive ? 0.5 + next() : (next() - 0.5) * 2 * scale;
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

describe('DenseNet forward pass', () => {
  it('DenseNet121 at 32x32, 5 logits: equals a float64 re-implementation of the whole network; no leak', async () => {
    clearSession();
    const before = memory().numTensors;
    const m = await DenseNet121({ weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null });
    fill(m, 3);
    const data = Array.from({ length: 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.11));
    const t = tensor(data, [1, 32, 32, 3]);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const W = new Map(m.layers.map((l) => [l.name, l.weights.map((v) => v.value.dataSync() as unknown as number[])]));
    const want = densenet121Reference(W, { h: 32, w: 32, c: 3, d: Float64Array.from(Float32Array.from(data)) });
    expect(got.every(Number.isFinite)).toBe(true);
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    t.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('DenseNet169 / 201 at 32x32: softmax rows of the right shape, finite', async () => {
    for (const fn of [DenseNet169, DenseNet201]) {
      clearSession();
      const m = await fn({ weights: null, inputShape: [32, 32, 3], classes: 3 });
      const x = tensor(Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.cos(i * 0.05)), [2, 32, 32, 3]);
      const y = tidy(() => (m.apply(x) as Tensor).arraySync() as number[][]);
      expect(y.length).toBe(2);
      for (const row of y) {
        expect(row.length).toBe(3);
        expect(row.every(Number.isFinite)).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      x.dispose();
      m.dispose();
    }
  });
});

describe('DenseNet weights and arguments', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-densenet-'));
    for (const k of ['STRATA_HOME', 'KERAS_HOME']) saved[k] = process.env[k];
    process.env.STRATA_HOME = join(dir, 'strata');
    process.env.KERAS_HOME = join(dir, 'keras');
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each weight holds its layer's position in the reference list and its own index: a misplaced weight shows. */
  function tag(model: Model, rows: Row[]): void {
    const pos = new Map(rows.map((r, i) => [r.name, i]));
    for (const l of model.layers) {
      l.weights.forEach((v, j) => {
        const n = v.shape.reduce((a, b) => a * b, 1);
        const val = pos.get(l.name)! * 10 + j + (v.path.endsWith('moving_variance') ? 0.5 : 0);
        tidy(() => v.assign(tensor(new Float32Array(n).fill(val), v.shape)));
      });
    }
  }

  it('weights: <path of a Keras-layout .h5> (DenseNet121 notop, 32x32): every weight lands in its layer', async () => {
    clearSession();
    const rows = densenetReference(BLOCKS.densenet121!, { includeTop: false, size: 32 });
    const src = await DenseNet121({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    tag(src, rows);
    const file = join(dir, 'dn121.h5');
    writeFileSync(file, await writeLegacyWeights(src));
    src.dispose();
    clearSession();
    const before = memory().numTensors;
    const m = await DenseNet121({ weights: file, includeTop: false, inputShape: [32, 32, 3] });
    const pos = new Map(rows.map((r, i) => [r.name, i]));
    let checked = 0;
    for (const l of m.layers) {
      l.weights.forEach((v, j) => {
        const want = pos.get(l.name)! * 10 + j + (v.path.endsWith('moving_variance') ? 0.5 : 0);
        const vals = v.value.dataSync();
        expect(vals[0]).toBe(want);
        expect(vals[vals.length - 1]).toBe(want);
        checked++;
      });
    }
    expect(checked).toBe(m.weights.length);
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
    const before = memory().numTensors;
    const err = await DenseNet169({ includeTop: false, inputShape: [32, 32, 3] }).catch((e: Error) => e);
    expect((err as Error).message).toContain('https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(memory().numTensors).toBe(before);
  });

  it("Keras' argument checks", async () => {
    const before = memory().numTensors;
    await expect(DenseNet121({ classes: 10 })).rejects.toThrow('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000 (DenseNet121 received classes=10)');
    await expect(DenseNet121({ weights: join(tmpdir(), 'no-such-densenet.h5') })).rejects.toThrow(/The `weights` argument should be either `None` \(random initialization\), `imagenet`.*DenseNet121 received weights=.*no-such-densenet\.h5/);
    await expect(DenseNet121({ weights: null, includeTop: false, inputShape: [31, 64, 3] })).rejects.toThrow('Input size must be at least 32x32; Received: input_shape=(31, 64, 3)');
    await expect(DenseNet121({ includeTop: true, inputShape: [128, 128, 3] })).rejects.toThrow('`input_shape` should be (224, 224, 3)');
    await expect(DenseNet121({ weights: 'imagenet', classifierActivation: 'relu' })).rejects.toThrow(/Only `None` and `softmax` activations are allowed.*relu/);
    await expect(DenseNet201({ weights: null, includeTop: false, pooling: 'sum' as never })).rejects.toThrow("DenseNet201: `pooling` must be null, 'avg' or 'max'; Received: pooling=sum");
    expect(memory().numTensors).toBe(before);
  });

  it('densenetPreprocessInput is Keras\' torch mode: /255, minus the ImageNet mean, over its std', () => {
    const y = densenetPreprocessInput(tensor([255, 0, 127.5, 51, 102, 204], [2, 3]));
    expectAllClose(Array.from(y.dataSync()), [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.5 - 0.406) / 0.225, (0.2 - 0.485) / 0.229, (0.4 - 0.456) / 0.224, (0.8 - 0.406) / 0.225], {
      atol: 1e-5,
      rtol: 1e-5,
    });
    y.dispose();
  });
});
