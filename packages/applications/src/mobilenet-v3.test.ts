import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, deserializeKerasObject, memory, serializeKerasObject, tensor, tidy } from '@strata/core';
import { writeKerasWeights, writeLegacyWeights } from '@strata/io';
import { Input, type Layer, clearSession } from '@strata/layers';
import { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MobileNetV3Large, MobileNetV3Small, ScalarOp, imagenetFile, preprocessInput } from './mobilenet-v3';

// ---- Independent reference: Keras' mobilenet_v3.py restated as plain data --------------------

interface RefLayer {
  name: string;
  className: string;
  shape: (number | null)[];
  weights: number[][];
}

/** Keras' `_depth`: nearest multiple of 8 (at least 8), never more than 10% below the value. */
function depth8(v: number): number {
  const r = Math.max(8, 8 * Math.floor(Math.floor(v + 4) / 8));
  return r < 0.9 * v ? r + 8 : r;
}

// [expansion, filters, kernel ('k' = 5, or 3 minimalistic), stride, squeeze-excite, 'RE' relu | 'HS' hard-swish (relu minimalistic)]
type Row = [number, number, number | 'k', number, boolean, 'RE' | 'HS'];
const SMALL_TABLE: Row[] = [
  [1, 16, 3, 2, true, 'RE'],
  [72 / 16, 24, 3, 2, false, 'RE'],
  [88 / 24, 24, 3, 1, false, 'RE'],
  [4, 40, 'k', 2, true, 'HS'],
  [6, 40, 'k', 1, true, 'HS'],
  [6, 40, 'k', 1, true, 'HS'],
  [3, 48, 'k', 1, true, 'HS'],
  [3, 48, 'k', 1, true, 'HS'],
  [6, 96, 'k', 2, true, 'HS'],
  [6, 96, 'k', 1, true, 'HS'],
  [6, 96, 'k', 1, true, 'HS'],
];
const LARGE_TABLE: Row[] = [
  [1, 16, 3, 1, false, 'RE'],
  [4, 24, 3, 2, false, 'RE'],
  [3, 24, 3, 1, false, 'RE'],
  [3, 40, 'k', 2, true, 'RE'],
  [3, 40, 'k', 1, true, 'RE'],
  [3, 40, 'k', 1, true, 'RE'],
  [6, 80, 3, 2, false, 'HS'],
  [2.5, 80, 3, 1, false, 'HS'],
  [2.3, 80, 3, 1, false, 'HS'],
  [2.3, 80, 3, 1, false, 'HS'],
  [6, 112, 3, 1, true, 'HS'],
  [6, 112, 3, 1, true, 'HS'],
  [6, 160, 'k', 2, true, 'HS'],
  [6, 160, 'k', 1, true, 'HS'],
  [6, 160, 'k', 1, true, 'HS'],
];

interface RefOptions {
  large: boolean;
  alpha?: number;
  minimalistic?: boolean;
  includeTop?: boolean;
  classes?: number;
  size?: number | null;
  preprocessing?: boolean;
  dropout?: number;
  pooling?: 'avg' | 'max' | null;
}

/** Keras' `model.layers` of MobileNetV3 (fresh session): names, classes, output shapes, weight shapes. */
function mnv3Reference(o: RefOptions): RefLayer[] {
  const alpha = o.alpha ?? 1;
  const minimal = o.minimalistic ?? false;
  const classes = o.classes ?? 1000;
  const out: RefLayer[] = [];
  const counters = new Map<string, number>();
  const auto = (base: string) => {
    const n = counters.get(base) ?? 0;
    counters.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
  const bnW = (c: number) => [[c], [c], [c], [c]];
  let h: number | null = o.size === undefined ? 224 : o.size;
  let c = 3;
  const sh = (ch: number) => [null, h, h, ch];
  out.push({ name: 'input_layer', className: 'InputLayer', shape: sh(3), weights: [] });
  if (o.preprocessing ?? true) out.push({ name: auto('rescaling'), className: 'Rescaling', shape: sh(3), weights: [] });
  const act = (kind: 'RE' | 'HS') => {
    if (minimal || kind === 'RE') out.push({ name: auto('re_lu'), className: 'ReLU', shape: sh(c), weights: [] });
    else out.push({ name: auto('activation'), className: 'Activation', shape: sh(c), weights: [] });
  };
  h = h == null ? null : Math.ceil(h / 2);
  c = 16;
  out.push({ name: 'conv', className: 'Conv2D', shape: sh(16), weights: [[3, 3, 3, 16]] });
  out.push({ name: 'conv_bn', className: 'BatchNormalization', shape: sh(16), weights: bnW(16) });
  act('HS');
  (o.large ? LARGE_TABLE : SMALL_TABLE).forEach(([t, f, k0, s, se, a], id) => {
    const k = k0 === 'k' ? (minimal ? 3 : 5) : k0;
    const p = id === 0 ? 'expanded_conv_' : `expanded_conv_${id}_`;
    const cin = c;
    const cout = depth8(f * alpha);
    const mid = depth8(cin * t);
    if (id > 0) {
      out.push({ name: `${p}expand`, className: 'Conv2D', shape: sh(mid), weights: [[1, 1, cin, mid]] });
      out.push({ name: `${p}expand_bn`, className: 'BatchNormalization', shape: sh(mid), weights: bnW(mid) });
      c = mid;
      act(a);
    } else {
      c = cin;
    }
    const dw = id > 0 ? mid : cin;
    if (s === 2) {
      // correct_pad: k//2 after, k//2 - 1 before on an even (or unknown) size, k//2 on an odd one.
      const padded = h == null ? null : h + 2 * Math.floor(k / 2) - (h % 2 === 0 ? 1 : 0);
      out.push({ name: `${p}depthwise_pad`, className: 'ZeroPadding2D', shape: [null, padded, padded, dw], weights: [] });
      h = padded == null ? null : Math.floor((padded - k) / 2) + 1;
    }
    out.push({ name: `${p}depthwise`, className: 'DepthwiseConv2D', shape: sh(dw), weights: [[k, k, dw, 1]] });
    out.push({ name: `${p}depthwise_bn`, className: 'BatchNormalization', shape: sh(dw), weights: bnW(dw) });
    c = dw;
    act(a);
    if (se && !minimal) {
      const r = depth8(dw * 0.25);
      out.push({ name: `${p}squeeze_excite_avg_pool`, className: 'GlobalAveragePooling2D', shape: [null, 1, 1, dw], weights: [] });
      out.push({ name: `${p}squeeze_excite_conv`, className: 'Conv2D', shape: [null, 1, 1, r], weights: [[1, 1, dw, r], [r]] });
      out.push({ name: `${p}squeeze_excite_relu`, className: 'ReLU', shape: [null, 1, 1, r], weights: [] });
      out.push({ name: `${p}squeeze_excite_conv_1`, className: 'Conv2D', shape: [null, 1, 1, dw], weights: [[1, 1, r, dw], [dw]] });
      out.push({ name: auto('re_lu'), className: 'ReLU', shape: [null, 1, 1, dw], weights: [] }); // hard_sigmoid's ReLU(6)
      out.push({ name: `${p}squeeze_excite_mul`, className: 'Multiply', shape: sh(dw), weights: [] });
    }
    out.push({ name: `${p}project`, className: 'Conv2D', shape: sh(cout), weights: [[1, 1, dw, cout]] });
    out.push({ name: `${p}project_bn`, className: 'BatchNormalization', shape: sh(cout), weights: bnW(cout) });
    if (s === 1 && cin === cout) out.push({ name: `${p}add`, className: 'Add', shape: sh(cout), weights: [] });
    c = cout;
  });
  const lastConv = depth8(c * 6);
  const lastPoint = alpha > 1 ? depth8((o.large ? 1280 : 1024) * alpha) : o.large ? 1280 : 1024;
  out.push({ name: 'conv_1', className: 'Conv2D', shape: sh(lastConv), weights: [[1, 1, c, lastConv]] });
  out.push({ name: 'conv_1_bn', className: 'BatchNormalization', shape: sh(lastConv), weights: bnW(lastConv) });
  c = lastConv;
  act('HS');
  if (o.includeTop ?? true) {
    h = 1;
    out.push({ name: auto('global_average_pooling2d'), className: 'GlobalAveragePooling2D', shape: sh(lastConv), weights: [] });
    out.push({ name: 'conv_2', className: 'Conv2D', shape: sh(lastPoint), weights: [[1, 1, lastConv, lastPoint], [lastPoint]] });
    c = lastPoint;
    act('HS');
    if ((o.dropout ?? 0.2) > 0) out.push({ name: auto('dropout'), className: 'Dropout', shape: sh(lastPoint), weights: [] });
    out.push({ name: 'logits', className: 'Conv2D', shape: sh(classes), weights: [[1, 1, lastPoint, classes], [classes]] });
    out.push({ name: auto('flatten'), className: 'Flatten', shape: [null, classes], weights: [] });
    out.push({ name: 'predictions', className: 'Activation', shape: [null, classes], weights: [] });
  } else if (o.pooling === 'avg') {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', shape: [null, lastConv], weights: [] });
  } else if (o.pooling === 'max') {
    out.push({ name: 'max_pool', className: 'GlobalMaxPooling2D', shape: [null, lastConv], weights: [] });
  }
  return out;
}

function countOf(layers: RefLayer[]): { total: number; nonTrainable: number } {
  let total = 0;
  let nonTrainable = 0;
  for (const l of layers) {
    const sizes = l.weights.map((s) => s.reduce((a, b) => a * b, 1));
    total += sizes.reduce((a, b) => a + b, 0);
    if (l.className === 'BatchNormalization') nonTrainable += sizes[2]! + sizes[3]!;
  }
  return { total, nonTrainable };
}

function actual(model: Model): RefLayer[] {
  return model.layers.map((l: Layer) => ({
    name: l.name,
    className: l.className,
    shape: [...l.inboundNodes[0]!.outputTensors[0]!.shape],
    weights: l.weights.map((w) => [...w.shape]),
  }));
}

function nonTrainable(model: Model): number {
  return model.nonTrainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

// ---- float64 forward reference (MobileNetV3Small, from Keras' source) ---------------------------

interface Img {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
const at = (x: Img, i: number, j: number, k: number) => x.d[(i * x.w + j) * x.c + k]!;
function pad(x: Img, top: number, bottom: number, left: number, right: number): Img {
  const h = x.h + top + bottom;
  const w = x.w + left + right;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) for (let k = 0; k < x.c; k++) d[((i + top) * w + j + left) * x.c + k] = at(x, i, j, k);
  return { h, w, c: x.c, d };
}
function samePad(x: Img, k: number, s: number): Img {
  const ph = Math.max((Math.ceil(x.h / s) - 1) * s + k - x.h, 0);
  const pw = Math.max((Math.ceil(x.w / s) - 1) * s + k - x.w, 0);
  return pad(x, Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2));
}
function conv(x: Img, kernel: number[], k: number, f: number, s: number, same: boolean, bias?: number[]): Img {
  const p = same ? samePad(x, k, s) : x;
  const h = Math.floor((p.h - k) / s) + 1;
  const w = Math.floor((p.w - k) / s) + 1;
  const d = new Float64Array(h * w * f);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let o = 0; o < f; o++) {
        let acc = bias ? bias[o]! : 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < p.c; c++) acc += at(p, i * s + a, j * s + b, c) * kernel[((a * k + b) * p.c + c) * f + o]!;
        d[(i * w + j) * f + o] = acc;
      }
  return { h, w, c: f, d };
}
function depthwise(x: Img, kernel: number[], k: number, s: number, same: boolean): Img {
  const p = same ? samePad(x, k, s) : x;
  const h = Math.floor((p.h - k) / s) + 1;
  const w = Math.floor((p.w - k) / s) + 1;
  const d = new Float64Array(h * w * p.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < p.c; c++) {
        let acc = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) acc += at(p, i * s + a, j * s + b, c) * kernel[(a * k + b) * p.c + c]!;
        d[(i * w + j) * p.c + c] = acc;
      }
  return { h, w, c: p.c, d };
}
const map = (x: Img, fn: (v: number, k: number) => number): Img => ({ ...x, d: x.d.map((v, i) => fn(v, i % x.c)) });
const bn = (x: Img, [g, b, m, v]: number[][]) => map(x, (y, k) => ((y - m![k]!) / Math.sqrt(v![k]! + 1e-3)) * g![k]! + b![k]!);
const relu = (x: Img) => map(x, (v) => Math.max(v, 0));
const hsig = (v: number) => Math.min(Math.max(v + 3, 0), 6) / 6;
const hswish = (x: Img) => map(x, (v) => v * hsig(v));
function gap(x: Img): Img {
  const d = new Float64Array(x.c);
  for (let p = 0; p < x.h * x.w; p++) for (let c = 0; c < x.c; c++) d[c]! += x.d[p * x.c + c]! / (x.h * x.w);
  return { h: 1, w: 1, c: x.c, d };
}

/** MobileNetV3Small(alpha 1, not minimalistic) logits, wired from Keras' source; weights by layer name. */
function smallReference(W: Map<string, number[][]>, img: Img): number[] {
  let x = map(img, (v) => v / 127.5 - 1);
  x = hswish(bn(conv(x, W.get('conv')![0]!, 3, 16, 2, true), W.get('conv_bn')!));
  SMALL_TABLE.forEach(([t, f, k0, s, se, a], id) => {
    const k = k0 === 'k' ? 5 : k0;
    const p = id === 0 ? 'expanded_conv_' : `expanded_conv_${id}_`;
    const act = a === 'RE' ? relu : hswish;
    const inp = x;
    const cout = depth8(f);
    let z = inp;
    if (id > 0) z = act(bn(conv(z, W.get(`${p}expand`)![0]!, 1, depth8(inp.c * t), 1, true), W.get(`${p}expand_bn`)!));
    if (s === 2) {
      const before = Math.floor(k / 2) - (z.h % 2 === 0 ? 1 : 0);
      z = pad(z, before, Math.floor(k / 2), before, Math.floor(k / 2));
    }
    z = act(bn(depthwise(z, W.get(`${p}depthwise`)![0]!, k, s, s === 1), W.get(`${p}depthwise_bn`)!));
    if (se) {
      const [k1, b1] = W.get(`${p}squeeze_excite_conv`)!;
      const [k2, b2] = W.get(`${p}squeeze_excite_conv_1`)!;
      const r = relu(conv(gap(z), k1!, 1, b1!.length, 1, true, b1));
      const e = conv(r, k2!, 1, b2!.length, 1, true, b2);
      z = map(z, (v, ch) => v * hsig(e.d[ch]!));
    }
    z = bn(conv(z, W.get(`${p}project`)![0]!, 1, cout, 1, true), W.get(`${p}project_bn`)!);
    x = s === 1 && inp.c === cout ? { ...z, d: z.d.map((v, i) => v + inp.d[i]!) } : z;
  });
  x = hswish(bn(conv(x, W.get('conv_1')![0]!, 1, 576, 1, true), W.get('conv_1_bn')!));
  const [k2, b2] = W.get('conv_2')!;
  x = hswish(conv(gap(x), k2!, 1, 1024, 1, true, b2));
  const [kl, bl] = W.get('logits')!;
  return Array.from(conv(x, kl!, 1, bl!.length, 1, true, bl).d);
}

/** Deterministic non-trivial values for every weight (BN variance and gamma kept positive). */
function randomize(model: Model, seed: number, scale = 1): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const positive = v.path.endsWith('moving_variance') || v.path.endsWith('gamma');
    const data = Array.from({ length: n }, () => (positive ? 0.5 + next() : (next() - 0.5) * scale));
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

const weightsByName = (m: Model) => new Map(m.layers.map((l) => [l.name, l.weights.map((v) => Array.from(v.value.dataSync()))]));
/** Every weight's bytes, for exact comparisons that stay fast on millions of values. */
const weightValues = (m: Model) => m.weights.map((v) => Buffer.from(new Uint8Array(v.value.dataSync().slice().buffer)).toString('base64'));

// ---------------------------------------------------------------------------------------------------

describe('MobileNetV3 reference tables', () => {
  it("reproduce Keras' parameter counts (MobileNetV3Small 2,554,968 / 939,120 without top; Large 5,507,432 / 2,996,352)", () => {
    expect(countOf(mnv3Reference({ large: false }))).toEqual({ total: 2554968, nonTrainable: 12112 });
    expect(countOf(mnv3Reference({ large: false, includeTop: false })).total).toBe(939120);
    expect(countOf(mnv3Reference({ large: true }))).toEqual({ total: 5507432, nonTrainable: 24400 });
    expect(countOf(mnv3Reference({ large: true, includeTop: false })).total).toBe(2996352);
  });
});

describe('MobileNetV3Small', () => {
  it('alpha 1, 224: every layer (name, class, output shape, weight shapes) as Keras; 2,554,968 params', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, inputShape: [224, 224, 3] });
    expect(m.name).toBe('MobileNetV3Small');
    expect(actual(m)).toEqual(mnv3Reference({ large: false }));
    expect(m.countParams()).toBe(2554968);
    expect(nonTrainable(m)).toBe(12112);
    // Spelled out: the stem, the first SE block and the top.
    expect(m.layers.slice(0, 16).map((l) => l.name)).toEqual([
      'input_layer',
      'rescaling',
      'conv',
      'conv_bn',
      'activation',
      'expanded_conv_depthwise_pad',
      'expanded_conv_depthwise',
      'expanded_conv_depthwise_bn',
      're_lu',
      'expanded_conv_squeeze_excite_avg_pool',
      'expanded_conv_squeeze_excite_conv',
      'expanded_conv_squeeze_excite_relu',
      'expanded_conv_squeeze_excite_conv_1',
      're_lu_1',
      'expanded_conv_squeeze_excite_mul',
      'expanded_conv_project',
    ]);
    expect(m.layers.slice(-11).map((l) => `${l.name}:${l.className}`)).toEqual([
      'expanded_conv_10_add:Add',
      'conv_1:Conv2D',
      'conv_1_bn:BatchNormalization',
      'activation_17:Activation',
      'global_average_pooling2d:GlobalAveragePooling2D',
      'conv_2:Conv2D',
      'activation_18:Activation',
      'dropout:Dropout',
      'logits:Conv2D',
      'flatten:Flatten',
      'predictions:Activation',
    ]);
    expect(m.layers.length).toBe(mnv3Reference({ large: false }).length);
    expect(m.getLayer('predictions').getConfig().activation).toBe('softmax');
    expect(m.getLayer('rescaling').getConfig()).toMatchObject({ scale: 1 / 127.5, offset: -1 });
    expect(m.getLayer('expanded_conv_depthwise_pad').getConfig().padding).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(m.getLayer('expanded_conv_3_depthwise').getConfig()).toMatchObject({ kernel_size: [5, 5], strides: [2, 2], padding: 'valid', use_bias: false });
    expect(m.getLayer('conv_bn').getConfig()).toMatchObject({ epsilon: 1e-3, momentum: 0.999 });
    expect(m.getLayer('activation').getConfig().activation).toMatch(/^hard_(swish|silu)$/);
    expect(m.getLayer('re_lu_1').getConfig().max_value).toBe(6);
    expect(m.getLayer('re_lu').getConfig().max_value ?? null).toBeNull();
    m.dispose();
  });

  it('without top: 939,120 params; pooling avg / max add avg_pool / max_pool', async () => {
    clearSession();
    const none = await MobileNetV3Small({ weights: null, includeTop: false });
    expect(none.countParams()).toBe(939120);
    expect(actual(none)).toEqual(mnv3Reference({ large: false, includeTop: false, size: null }));
    expect(none.outputs[0]!.shape).toEqual([null, null, null, 576]);
    none.dispose();
    for (const [pooling, cls] of [
      ['avg', 'GlobalAveragePooling2D'],
      ['max', 'GlobalMaxPooling2D'],
    ] as const) {
      clearSession();
      const m = await MobileNetV3Small({ weights: null, includeTop: false, inputShape: [64, 64, 3], pooling });
      expect(m.layers.at(-1)!.className).toBe(cls);
      expect(m.layers.at(-1)!.name).toBe(`${pooling}_pool`);
      expect(m.outputs[0]!.shape).toEqual([null, 576]);
      m.dispose();
    }
  });

  it.each([
    [0.75, false],
    [1.0, true],
    [0.5, false],
    [1.25, false],
  ])('alpha %s, minimalistic %s: layers and counts follow the tables', async (alpha, minimalistic) => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, alpha, minimalistic, inputShape: [96, 96, 3], classes: 7, dropoutRate: 0 });
    const ref = mnv3Reference({ large: false, alpha, minimalistic, size: 96, classes: 7, dropout: 0 });
    expect(actual(m)).toEqual(ref);
    expect(m.countParams()).toBe(countOf(ref).total);
    expect(m.layers.some((l) => l.className === 'Dropout')).toBe(false);
    m.dispose();
  });

  it('includePreprocessing false: no Rescaling layer; the forward pass is finite, right shape, no leak', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, includePreprocessing: false, inputShape: [32, 32, 3], classes: 3 });
    expect(m.layers.map((l) => l.className)).not.toContain('Rescaling');
    expect(actual(m)).toEqual(mnv3Reference({ large: false, preprocessing: false, size: 32, classes: 3 }));
    const x = tensor(Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i)), [2, 32, 32, 3]);
    tidy(() => m.apply(x)); // warm-up: the first call may set up state that lives with the model
    const before = memory().numTensors;
    const y = tidy(() => m.apply(x) as Tensor);
    expect(y.shape).toEqual([2, 3]);
    const v = Array.from(y.dataSync());
    expect(v.every(Number.isFinite)).toBe(true);
    expectAllClose([v[0]! + v[1]! + v[2]!, v[3]! + v[4]! + v[5]!], [1, 1], { atol: 1e-5 });
    y.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('forward pass at 32x32 matches a float64 reference of the whole network (SE, hard sigmoid/swish, correct_pad)', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, inputShape: [33, 33, 3], classes: 5, classifierActivation: null });
    randomize(m, 3, 0.6);
    const data = Array.from({ length: 33 * 33 * 3 }, (_, i) => 127.5 + 120 * Math.sin(i * 0.37));
    const img = { h: 33, w: 33, c: 3, d: Float64Array.from(Float32Array.from(data)) };
    const t = tensor(data, [1, 33, 33, 3]);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const want = smallReference(weightsByName(m), img);
    expect(got.length).toBe(5);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-2); // not a degenerate all-zero output
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    t.dispose();
    m.dispose();
  });
});

describe('MobileNetV3Large', () => {
  it('alpha 1, 224: every layer as Keras; 5,507,432 params (2,996,352 without top)', async () => {
    clearSession();
    const m = await MobileNetV3Large({ weights: null });
    expect(m.name).toBe('MobileNetV3Large');
    expect(actual(m)).toEqual(mnv3Reference({ large: true, size: null }));
    expect(m.countParams()).toBe(5507432);
    expect(nonTrainable(m)).toBe(24400);
    expect(m.layers.slice(0, 10).map((l) => l.name)).toEqual([
      'input_layer',
      'rescaling',
      'conv',
      'conv_bn',
      'activation',
      'expanded_conv_depthwise',
      'expanded_conv_depthwise_bn',
      're_lu',
      'expanded_conv_project',
      'expanded_conv_project_bn',
    ]);
    expect(m.layers[10]!.name).toBe('expanded_conv_add');
    m.dispose();
    clearSession();
    const notop = await MobileNetV3Large({ weights: null, includeTop: false, inputShape: [224, 224, 3] });
    expect(notop.countParams()).toBe(2996352);
    expect(notop.outputs[0]!.shape).toEqual([null, 7, 7, 960]);
    notop.dispose();
  });

  it('minimalistic, alpha 0.75 and 1.5: layers and counts follow the tables; pooling shapes', async () => {
    for (const [alpha, minimalistic] of [
      [1.0, true],
      [0.75, false],
      [1.5, true],
    ] as const) {
      clearSession();
      const m = await MobileNetV3Large({ weights: null, alpha, minimalistic, includeTop: false, inputShape: [64, 64, 3], pooling: 'avg' });
      const ref = mnv3Reference({ large: true, alpha, minimalistic, includeTop: false, size: 64, pooling: 'avg' });
      expect(actual(m)).toEqual(ref);
      expect(m.countParams()).toBe(countOf(ref).total);
      expect(m.outputs[0]!.shape).toEqual([null, depth8(depth8(160 * alpha) * 6)]);
      m.dispose();
    }
    clearSession();
    const mx = await MobileNetV3Large({ weights: null, includeTop: false, inputShape: [64, 64, 3], pooling: 'max' });
    expect(mx.outputs[0]!.shape).toEqual([null, 960]);
    mx.dispose();
  });
});

describe('MobileNetV3: options, errors, weights', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-mnv3-'));
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

  it("Keras' weight file names, URLs and md5s", () => {
    expect(imagenetFile('large', false, 1.0, true)).toEqual({
      fname: 'weights_mobilenet_v3_large_224_1.0_float.h5',
      origin: 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_large_224_1.0_float.h5',
      fileHash: '59e551e166be033d707958cf9e29a6a7',
    });
    expect(imagenetFile('small', true, 1.0, false)).toEqual({
      fname: 'weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5',
      origin: 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5',
      fileHash: 'cde8136e733e811080d9fcd8a252f7e4',
    });
    expect(imagenetFile('small', false, 0.75, true).fileHash).toBe('cb65d4e5be93758266aa0a7f2c6708b7');
  });

  it('bad arguments throw clear errors and leak nothing', async () => {
    const before = memory().numTensors;
    await expect(MobileNetV3Small({ weights: null, inputShape: [16, 40, 3] })).rejects.toThrow(/Input size must be at least 32x32; Received `input_shape=\(16, 40, 3\)`/);
    await expect(MobileNetV3Small({ alpha: 0.5 })).rejects.toThrow(/alpha can be one of `0.75`, `1.0` for non minimalistic or `1.0` for minimalistic only.*alpha=0.5/);
    await expect(MobileNetV3Large({ alpha: 0.75, minimalistic: true })).rejects.toThrow(/minimalistic only/);
    await expect(MobileNetV3Small({ classes: 10 })).rejects.toThrow(/`classes` should be 1000. {2}Received classes=10/);
    await expect(MobileNetV3Small({ weights: join(dir, 'nope.h5') })).rejects.toThrow(/The `weights` argument should be either.*Received weights=.*nope\.h5/);
    await expect(MobileNetV3Small({ weights: null, pooling: 'sum' as never })).rejects.toThrow(/MobileNetV3Small: `pooling` must be null, 'avg' or 'max'/);
    await expect(MobileNetV3Small({ weights: null, dropoutRate: 1.5 })).rejects.toThrow(/MobileNetV3Small: `dropoutRate` must be in \[0, 1\).*dropout_rate=1.5/);
    await expect(MobileNetV3Large({ weights: null, alpha: -1 })).rejects.toThrow(/MobileNetV3Large: `alpha` must be a positive number/);
    const inp = Input({ shape: [64, 48, 3] });
    await expect(MobileNetV3Small({ weights: null, inputTensor: inp, inputShape: [64, 64, 3] })).rejects.toThrow(
      /input_shape\[1\] must equal input_tensor.shape\[2\].*input_shape=\(64, 64, 3\), input_tensor.shape=\(None, 64, 48, 3\)/,
    );
    await expect(MobileNetV3Small({ weights: 'imagenet', classifierActivation: 'relu' })).rejects.toThrow(/Only `None` and `softmax` activations are allowed/);
    expect(memory().numTensors).toBe(before);
  });

  it('inputTensor: the model is built on it (Keras takes its size for the checks)', async () => {
    clearSession();
    const inp = Input({ shape: [40, 40, 3] });
    const m = await MobileNetV3Small({ weights: null, inputTensor: inp, includeTop: false });
    expect(m.inputs[0]).toBe(inp);
    expect(m.outputs[0]!.shape).toEqual([null, 2, 2, 576]);
    m.dispose();
    await expect(MobileNetV3Small({ weights: null, inputTensor: Input({ shape: [20, 20, 3] }) })).rejects.toThrow(/at least 32x32/);
  });

  it("weights: a legacy .h5 and a .weights.h5 load every value by topology; 'imagenet' reads Keras' file from the cache", async () => {
    clearSession();
    const src = await MobileNetV3Small({ weights: null, includeTop: false, inputShape: [32, 32, 3], alpha: 0.75 });
    randomize(src, 17);
    const values = weightValues(src);
    const x = tensor(Array.from({ length: 32 * 32 * 3 }, (_, i) => 100 + 90 * Math.cos(i / 5)), [1, 32, 32, 3]);
    const want = tidy(() => Array.from((src.apply(x) as Tensor).dataSync()));
    const legacy = join(dir, 'mnv3.h5');
    writeFileSync(legacy, await writeLegacyWeights(src));
    const kerasFile = join(dir, 'mnv3.weights.h5');
    writeFileSync(kerasFile, await writeKerasWeights(src));
    mkdirSync(join(dir, 'keras', 'models'), { recursive: true });
    writeFileSync(join(dir, 'keras', 'models', 'weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5'), await writeLegacyWeights(src));
    src.dispose();

    const before = memory().numTensors;
    for (const weights of [legacy, kerasFile]) {
      clearSession();
      const m = await MobileNetV3Small({ weights, includeTop: false, inputShape: [32, 32, 3], alpha: 0.75 });
      expect(weightValues(m)).toEqual(values);
      const got = tidy(() => Array.from((m.apply(x) as Tensor).dataSync()));
      expect(got).toEqual(want);
      m.dispose();
    }
    expect(memory().numTensors).toBe(before);

    // 'imagenet' from the Keras cache (no download; md5 skipped only because the file is ours:
    // the real file's hash would not match, so this checks the name and the topology, not the hash).
    const fetchSpy = vi.fn(async () => {
      throw new TypeError('offline');
    });
    vi.stubGlobal('fetch', fetchSpy);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const err = await MobileNetV3Small({ includeTop: false, inputShape: [32, 32, 3], alpha: 0.75 }).catch((e: Error) => e);
    // Our file's md5 differs from Keras' published one, so it is refused and a download is tried.
    expect(fetchSpy).toHaveBeenCalledWith(
      'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5',
    );
    expect((err as Error).message).toContain('weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5');
    expect(memory().numTensors).toBe(before);
    x.dispose();
  }, 30000);

  it('a file of another variant is refused with a clear error', async () => {
    clearSession();
    const other = await MobileNetV3Large({ weights: null, includeTop: false, inputShape: [32, 32, 3], minimalistic: true });
    const file = join(dir, 'large.h5');
    writeFileSync(file, await writeLegacyWeights(other));
    other.dispose();
    const before = memory().numTensors;
    const err = await MobileNetV3Small({ weights: file, includeTop: false, inputShape: [32, 32, 3] }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/large\.h5/);
    expect((err as Error).message).toMatch(/mismatch/);
    expect(memory().numTensors).toBe(before);
  });

  it('ScalarOp: math, config round trip, registration, bad input', () => {
    const add = new ScalarOp({ op: 'add', value: 3 });
    const mul = new ScalarOp({ op: 'multiply', value: 1 / 6 });
    const before = memory().numTensors;
    const x = tensor([-4, -1, 0, 2.5], [4]);
    const y = tidy(() => mul.apply(add.apply(x) as Tensor) as Tensor);
    expectAllClose(Array.from(y.dataSync()), [-1 / 6, 2 / 6, 0.5, 5.5 / 6], { atol: 1e-6 });
    x.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
    const cfg = add.getConfig();
    expect(cfg).toMatchObject({ op: 'add', value: 3 });
    expect(ScalarOp.fromConfig(cfg).getConfig()).toEqual(cfg);
    const back = deserializeKerasObject<ScalarOp>('layer', serializeKerasObject(mul));
    expect(back).toBeInstanceOf(ScalarOp);
    expect(back.value).toBe(1 / 6);
    expect(() => new ScalarOp({ op: 'pow' as never, value: 2 })).toThrow(/ScalarOp: `op` must be 'add' or 'multiply'. Received: op=pow/);
    expect(() => new ScalarOp({ op: 'add', value: Number.NaN })).toThrow(/ScalarOp: `value` must be a finite number/);
  });

  it('the hard-sigmoid ops stay out of model.layers but in the graph config, which round-trips', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    expect(m.layers.some((l) => l instanceof ScalarOp)).toBe(false);
    const cfg = m.getConfig();
    const classNames = (cfg.layers as { class_name: string }[]).map((l) => l.class_name);
    // 9 SE blocks, each with the `+ 3` and `* 1/6` of its hard sigmoid.
    expect(classNames.filter((c) => c === 'ScalarOp').length).toBe(18);
    const copy = Model.fromConfig(cfg);
    expect(copy.countParams()).toBe(m.countParams());
    copy.dispose();
    m.dispose();
  });

  it('preprocessInput is a pass-through, as Keras', () => {
    const x = tensor([0, 255], [2]);
    expect(preprocessInput(x)).toBe(x);
    x.dispose();
  });
});
