import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, deserializeKerasObject, memory, serializeKerasObject, tensor, tidy } from '@strata/core';
import { writeKerasWeights, writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { MobileNetV3Large, MobileNetV3Small, ScalarOp, imagenetFile, preprocessInput } from './mobilenet-v3';
import {
  type Row,
  expectForwardMatches,
  expectRejections,
  fillWeights,
  expectArchitecture,
  layerRows,
  paramCounts,
  testImage,
  useTempCache,
  weightBytes,
} from './testing/architecture-checks';
import { type Img, add, batchNorm, conv, correctPad, depthwise, gap, map, relu } from './testing/float64';

// ---- Independent reference: Keras' mobilenet_v3.py restated as plain data --------------------

/** Keras' `_depth`: nearest multiple of 8 (at least 8), never more than 10% below the value. */
function depth8(v: number): number {
  const r = Math.max(8, 8 * Math.floor(Math.floor(v + 4) / 8));
  return r < 0.9 * v ? r + 8 : r;
}

// [expansion, filters, kernel ('k' = 5, or 3 minimalistic), stride, squeeze-excite, 'RE' relu | 'HS' hard-swish (relu minimalistic)]
type Stage = [number, number, number | 'k', number, boolean, 'RE' | 'HS'];
const SMALL_TABLE: Stage[] = [
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
const LARGE_TABLE: Stage[] = [
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
function mnv3Reference(o: RefOptions): Row[] {
  const alpha = o.alpha ?? 1;
  const minimal = o.minimalistic ?? false;
  const classes = o.classes ?? 1000;
  const out: Row[] = [];
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
  out.push({ name: 'input_layer', className: 'InputLayer', out: sh(3), shapes: [] });
  if (o.preprocessing ?? true) out.push({ name: auto('rescaling'), className: 'Rescaling', out: sh(3), shapes: [] });
  const act = (kind: 'RE' | 'HS') => {
    if (minimal || kind === 'RE') out.push({ name: auto('re_lu'), className: 'ReLU', out: sh(c), shapes: [] });
    else out.push({ name: auto('activation'), className: 'Activation', out: sh(c), shapes: [] });
  };
  h = h == null ? null : Math.ceil(h / 2);
  c = 16;
  out.push({ name: 'conv', className: 'Conv2D', out: sh(16), shapes: [[3, 3, 3, 16]] });
  out.push({ name: 'conv_bn', className: 'BatchNormalization', out: sh(16), shapes: bnW(16) });
  act('HS');
  (o.large ? LARGE_TABLE : SMALL_TABLE).forEach(([t, f, k0, s, se, a], id) => {
    const k = k0 === 'k' ? (minimal ? 3 : 5) : k0;
    const p = id === 0 ? 'expanded_conv_' : `expanded_conv_${id}_`;
    const cin = c;
    const cout = depth8(f * alpha);
    const mid = depth8(cin * t);
    if (id > 0) {
      out.push({ name: `${p}expand`, className: 'Conv2D', out: sh(mid), shapes: [[1, 1, cin, mid]] });
      out.push({ name: `${p}expand_bn`, className: 'BatchNormalization', out: sh(mid), shapes: bnW(mid) });
      c = mid;
      act(a);
    } else {
      c = cin;
    }
    const dw = id > 0 ? mid : cin;
    if (s === 2) {
      // correct_pad: k//2 after, k//2 - 1 before on an even (or unknown) size, k//2 on an odd one.
      const padded = h == null ? null : h + 2 * Math.floor(k / 2) - (h % 2 === 0 ? 1 : 0);
      out.push({ name: `${p}depthwise_pad`, className: 'ZeroPadding2D', out: [null, padded, padded, dw], shapes: [] });
      h = padded == null ? null : Math.floor((padded - k) / 2) + 1;
    }
    out.push({ name: `${p}depthwise`, className: 'DepthwiseConv2D', out: sh(dw), shapes: [[k, k, dw, 1]] });
    out.push({ name: `${p}depthwise_bn`, className: 'BatchNormalization', out: sh(dw), shapes: bnW(dw) });
    c = dw;
    act(a);
    if (se && !minimal) {
      const r = depth8(dw * 0.25);
      out.push({ name: `${p}squeeze_excite_avg_pool`, className: 'GlobalAveragePooling2D', out: [null, 1, 1, dw], shapes: [] });
      out.push({ name: `${p}squeeze_excite_conv`, className: 'Conv2D', out: [null, 1, 1, r], shapes: [[1, 1, dw, r], [r]] });
      out.push({ name: `${p}squeeze_excite_relu`, className: 'ReLU', out: [null, 1, 1, r], shapes: [] });
      out.push({ name: `${p}squeeze_excite_conv_1`, className: 'Conv2D', out: [null, 1, 1, dw], shapes: [[1, 1, r, dw], [dw]] });
      out.push({ name: auto('re_lu'), className: 'ReLU', out: [null, 1, 1, dw], shapes: [] }); // hard_sigmoid's ReLU(6)
      out.push({ name: `${p}squeeze_excite_mul`, className: 'Multiply', out: sh(dw), shapes: [] });
    }
    out.push({ name: `${p}project`, className: 'Conv2D', out: sh(cout), shapes: [[1, 1, dw, cout]] });
    out.push({ name: `${p}project_bn`, className: 'BatchNormalization', out: sh(cout), shapes: bnW(cout) });
    if (s === 1 && cin === cout) out.push({ name: `${p}add`, className: 'Add', out: sh(cout), shapes: [] });
    c = cout;
  });
  const lastConv = depth8(c * 6);
  const lastPoint = alpha > 1 ? depth8((o.large ? 1280 : 1024) * alpha) : o.large ? 1280 : 1024;
  out.push({ name: 'conv_1', className: 'Conv2D', out: sh(lastConv), shapes: [[1, 1, c, lastConv]] });
  out.push({ name: 'conv_1_bn', className: 'BatchNormalization', out: sh(lastConv), shapes: bnW(lastConv) });
  c = lastConv;
  act('HS');
  if (o.includeTop ?? true) {
    h = 1;
    out.push({ name: auto('global_average_pooling2d'), className: 'GlobalAveragePooling2D', out: sh(lastConv), shapes: [] });
    out.push({ name: 'conv_2', className: 'Conv2D', out: sh(lastPoint), shapes: [[1, 1, lastConv, lastPoint], [lastPoint]] });
    c = lastPoint;
    act('HS');
    if ((o.dropout ?? 0.2) > 0) out.push({ name: auto('dropout'), className: 'Dropout', out: sh(lastPoint), shapes: [] });
    out.push({ name: 'logits', className: 'Conv2D', out: sh(classes), shapes: [[1, 1, lastPoint, classes], [classes]] });
    out.push({ name: auto('flatten'), className: 'Flatten', out: [null, classes], shapes: [] });
    out.push({ name: 'predictions', className: 'Activation', out: [null, classes], shapes: [] });
  } else if (o.pooling === 'avg') {
    out.push({ name: 'avg_pool', className: 'GlobalAveragePooling2D', out: [null, lastConv], shapes: [] });
  } else if (o.pooling === 'max') {
    out.push({ name: 'max_pool', className: 'GlobalMaxPooling2D', out: [null, lastConv], shapes: [] });
  }
  return out;
}

// ---- float64 forward reference (MobileNetV3Small, from Keras' source) ---------------------------

const bn = (x: Img, w: number[][]) => batchNorm(x, w, 1e-3);
const hsig = (v: number) => Math.min(Math.max(v + 3, 0), 6) / 6;
const hswish = (x: Img) => map(x, (v) => v * hsig(v));
/** Global average pooling kept as a 1x1 image (Keras' `keepdims=True`). */
const pooled = (x: Img): Img => ({ h: 1, w: 1, c: x.c, d: Float64Array.from(gap(x)) });
const cv = (x: Img, kernel: number[], k: number, f: number, s: number, bias?: number[]) => conv(x, kernel, k, k, f, s, true, bias);

/** MobileNetV3Small(alpha 1, not minimalistic) logits, wired from Keras' source; weights by layer name. */
function smallReference(W: Map<string, number[][]>, img: Img): number[] {
  let x = map(img, (v) => v / 127.5 - 1);
  x = hswish(bn(cv(x, W.get('conv')![0]!, 3, 16, 2), W.get('conv_bn')!));
  SMALL_TABLE.forEach(([t, f, k0, s, se, a], id) => {
    const k = k0 === 'k' ? 5 : k0;
    const p = id === 0 ? 'expanded_conv_' : `expanded_conv_${id}_`;
    const act = a === 'RE' ? relu : hswish;
    const inp = x;
    const cout = depth8(f);
    let z = inp;
    if (id > 0) z = act(bn(cv(z, W.get(`${p}expand`)![0]!, 1, depth8(inp.c * t), 1), W.get(`${p}expand_bn`)!));
    if (s === 2) z = correctPad(z, k);
    z = act(bn(depthwise(z, W.get(`${p}depthwise`)![0]!, k, s, s === 1), W.get(`${p}depthwise_bn`)!));
    if (se) {
      const [k1, b1] = W.get(`${p}squeeze_excite_conv`)!;
      const [k2, b2] = W.get(`${p}squeeze_excite_conv_1`)!;
      const r = relu(cv(pooled(z), k1!, 1, b1!.length, 1, b1));
      const e = cv(r, k2!, 1, b2!.length, 1, b2);
      z = map(z, (v, ch) => v * hsig(e.d[ch]!));
    }
    z = bn(cv(z, W.get(`${p}project`)![0]!, 1, cout, 1), W.get(`${p}project_bn`)!);
    x = s === 1 && inp.c === cout ? add(z, inp) : z;
  });
  x = hswish(bn(cv(x, W.get('conv_1')![0]!, 1, 576, 1), W.get('conv_1_bn')!));
  const [k2, b2] = W.get('conv_2')!;
  x = hswish(cv(pooled(x), k2!, 1, 1024, 1, b2));
  const [kl, bl] = W.get('logits')!;
  return Array.from(cv(x, kl!, 1, bl!.length, 1, bl).d);
}

// ---------------------------------------------------------------------------------------------------

describe('MobileNetV3 reference tables', () => {
  it("reproduce Keras' parameter counts (MobileNetV3Small 2,554,968 / 939,120 without top; Large 5,507,432 / 2,996,352)", () => {
    expect(paramCounts(mnv3Reference({ large: false }))).toEqual({ total: 2554968, nonTrainable: 12112 });
    expect(paramCounts(mnv3Reference({ large: false, includeTop: false })).total).toBe(939120);
    expect(paramCounts(mnv3Reference({ large: true }))).toEqual({ total: 5507432, nonTrainable: 24400 });
    expect(paramCounts(mnv3Reference({ large: true, includeTop: false })).total).toBe(2996352);
  });
});

describe('MobileNetV3Small', () => {
  it('alpha 1, 224: every layer (name, class, output shape, weight shapes) as Keras; 2,554,968 params', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, inputShape: [224, 224, 3] });
    expectArchitecture(m, { name: 'MobileNetV3Small', rows: mnv3Reference({ large: false }), params: 2554968, nonTrainable: 12112 });
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
    expect(layerRows(none)).toEqual(mnv3Reference({ large: false, includeTop: false, size: null }));
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
    expect(layerRows(m)).toEqual(ref);
    expect(m.countParams()).toBe(paramCounts(ref).total);
    expect(m.layers.some((l) => l.className === 'Dropout')).toBe(false);
    m.dispose();
  });

  it('includePreprocessing false: no Rescaling layer; the forward pass is finite, right shape, no leak', async () => {
    clearSession();
    const m = await MobileNetV3Small({ weights: null, includePreprocessing: false, inputShape: [32, 32, 3], classes: 3 });
    expect(m.layers.map((l) => l.className)).not.toContain('Rescaling');
    expect(layerRows(m)).toEqual(mnv3Reference({ large: false, preprocessing: false, size: 32, classes: 3 }));
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
    fillWeights(m, 3, () => 0.6);
    const input = testImage(33, 33, 1, (i) => 127.5 + 120 * Math.sin(i * 0.37));
    expectForwardMatches(m, input, smallReference, { atol: 1e-4, rtol: 1e-3 }, 1e-2);
    expect(m.outputs[0]!.shape).toEqual([null, 5]);
    input.t.dispose();
    m.dispose();
  });
});

describe('MobileNetV3Large', () => {
  it('alpha 1, 224: every layer as Keras; 5,507,432 params (2,996,352 without top)', async () => {
    clearSession();
    const m = await MobileNetV3Large({ weights: null });
    expectArchitecture(m, { name: 'MobileNetV3Large', rows: mnv3Reference({ large: true, size: null }), params: 5507432, nonTrainable: 24400 });
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
      expect(layerRows(m)).toEqual(ref);
      expect(m.countParams()).toBe(paramCounts(ref).total);
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
  const tmp = useTempCache('strata-mnv3-');

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
    const inp = Input({ shape: [64, 48, 3] });
    await expectRejections([
      [() => MobileNetV3Small({ weights: null, inputShape: [16, 40, 3] }), /Input size must be at least 32x32; Received `input_shape=\(16, 40, 3\)`/],
      [() => MobileNetV3Small({ alpha: 0.5 }), /alpha can be one of `0.75`, `1.0` for non minimalistic or `1.0` for minimalistic only.*alpha=0.5/],
      [() => MobileNetV3Large({ alpha: 0.75, minimalistic: true }), /minimalistic only/],
      [() => MobileNetV3Small({ classes: 10 }), /`classes` should be 1000. {2}Received classes=10/],
      [() => MobileNetV3Small({ weights: join(tmp.dir, 'nope.h5') }), /The `weights` argument should be either.*Received weights=.*nope\.h5/],
      [() => MobileNetV3Small({ weights: null, pooling: 'sum' as never }), /MobileNetV3Small: `pooling` must be null, 'avg' or 'max'/],
      [() => MobileNetV3Small({ weights: null, dropoutRate: 1.5 }), /MobileNetV3Small: `dropoutRate` must be in \[0, 1\).*dropout_rate=1.5/],
      [() => MobileNetV3Large({ weights: null, alpha: -1 }), /MobileNetV3Large: `alpha` must be a positive number/],
      [
        () => MobileNetV3Small({ weights: null, inputTensor: inp, inputShape: [64, 64, 3] }),
        /input_shape\[1\] must equal input_tensor.shape\[2\].*input_shape=\(64, 64, 3\), input_tensor.shape=\(None, 64, 48, 3\)/,
      ],
      [() => MobileNetV3Small({ weights: 'imagenet', classifierActivation: 'relu' }), /Only `None` and `softmax` activations are allowed/],
    ]);
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
    fillWeights(src, 17);
    const values = weightBytes(src);
    const x = tensor(Array.from({ length: 32 * 32 * 3 }, (_, i) => 100 + 90 * Math.cos(i / 5)), [1, 32, 32, 3]);
    const want = tidy(() => Array.from((src.apply(x) as Tensor).dataSync()));
    const legacy = join(tmp.dir, 'mnv3.h5');
    writeFileSync(legacy, await writeLegacyWeights(src));
    const kerasFile = join(tmp.dir, 'mnv3.weights.h5');
    writeFileSync(kerasFile, await writeKerasWeights(src));
    mkdirSync(join(tmp.dir, 'keras', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'keras', 'models', 'weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5'), await writeLegacyWeights(src));
    src.dispose();

    const before = memory().numTensors;
    for (const weights of [legacy, kerasFile]) {
      clearSession();
      const m = await MobileNetV3Small({ weights, includeTop: false, inputShape: [32, 32, 3], alpha: 0.75 });
      expect(weightBytes(m)).toEqual(values);
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
    const file = join(tmp.dir, 'large.h5');
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
