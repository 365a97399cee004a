import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@strata/core';
import { Input, clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type Dim,
  type Rec,
  type Row,
  expectHeadlessVariants,
  expectImagenetOffline,
  expectRejections,
  expectWeightsLoadByTopology,
  kerasOrder,
  expectArchitecture,
  paramCounts,
  recorder,
  useTempCache,
  expectWholeNetworkForward,
} from './testing/architecture-checks';
import { type Img, add, batchNorm, conv, dense, depthwise, gap, pool, relu } from './testing/float64';
import { Xception, xceptionPreprocessInput } from './xception';

// ---- An independent description of Keras' Xception (keras/src/applications/xception.py) ----

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

/** The paper's Figure 5 as Keras builds it: entry flow, 8 middle blocks, exit flow. */
function xceptionReference(opts: { includeTop: boolean; classes?: number; pooling?: 'avg' | 'max'; size: number | null }): Row[] {
  const L = recorder(AUTO);
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

describe('Xception reference (independent of the code under test)', () => {
  it("reproduces Keras' published counts: 22,910,480 (54,528 non-trainable); 20,861,480 without the top", () => {
    expect(paramCounts(xceptionReference({ includeTop: true, size: 299 }))).toEqual({ total: 22910480, nonTrainable: 54528 });
    expect(paramCounts(xceptionReference({ includeTop: false, size: 299 })).total).toBe(20861480);
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
    expectArchitecture(m, { name: 'xception', rows: xceptionReference({ includeTop: true, size: 299 }), params: 22910480, nonTrainable: 54528 });
    const bn = m.getLayer('block1_conv1_bn').getConfig();
    expect([bn.epsilon, bn.momentum]).toEqual([1e-3, 0.99]);
    m.dispose();
  });

  it('no top: 20,861,480 params, unknown size by default; pooling avg / max', async () => {
    await expectHeadlessVariants(
      (o) => Xception({ weights: null, includeTop: false, ...o }),
      (size, pooling) => xceptionReference({ includeTop: false, pooling, size }),
      { params: 20861480, channels: 2048, size: 71 },
    );
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

/** Keras' Xception restated by hand from the paper's Figure 5 and Keras' layer names. */
function xceptionForward(W: Map<string, number[][]>, img: Img): number[] {
  const bn = (x: Img, name: string): Img => batchNorm(x, W.get(name)!, 1e-3);
  const sep = (x: Img, name: string, f: number): Img => {
    const [dk, pk] = W.get(name)!;
    return conv(depthwise(x, dk!, 3, 1, true), pk!, 1, 1, f, 1, true);
  };
  let shortcutId = 0;
  const down = (x: Img, b: number, f1: number, f2: number, pre: boolean): Img => {
    const sfx = shortcutId === 0 ? '' : `_${shortcutId}`;
    shortcutId++;
    const res = bn(conv(x, W.get(`conv2d${sfx}`)![0]!, 1, 1, f2, 2, true), `batch_normalization${sfx}`);
    let y = pre ? relu(x) : x;
    y = bn(sep(y, `block${b}_sepconv1`, f1), `block${b}_sepconv1_bn`);
    y = bn(sep(relu(y), `block${b}_sepconv2`, f2), `block${b}_sepconv2_bn`);
    // 3x3 stride-2 'same' max pooling (TF puts the odd padding pixel after).
    return add(pool(y, 3, 2, 'max', true), res);
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
  return dense(gap(x), k!, bias!);
}

describe('Xception forward pass and weights', () => {
  const tmp = useTempCache('strata-xception-');

  it('at 71x71 (odd sizes through the same-padded strided pools and shortcuts), 3 logits: equals a float64 re-implementation; no leak', async () => {
    await expectWholeNetworkForward(() => Xception({ weights: null, inputShape: [71, 71, 3], classes: 3, classifierActivation: null }), xceptionForward, { seed: 9, gain: 3, size: 71 });
  });

  it('weights: <path of a Keras-layout .h5> (notop, 71x71): every weight lands in its layer', async () => {
    const rows = xceptionReference({ includeTop: false, size: 71 });
    await expectWeightsLoadByTopology((weights) => Xception({ weights, includeTop: false, inputShape: [71, 71, 3] }), rows, join(tmp.dir, 'xception.h5'));
  }, 60000);

  it("weights: 'imagenet' offline names Keras' file and URL; nothing leaks", async () => {
    await expectImagenetOffline(() => Xception({ includeTop: true }), 'https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5');
  });

  it("Keras' argument checks", async () => {
    await expectRejections([
      [() => Xception({ classes: 10 }), "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10"],
      [
        () => Xception({ weights: join(tmpdir(), 'no-such-xc.h5') }),
        /'imagenet' \(pre-training on ImageNet\), or the path to the weights file to be loaded\. \(Xception received weights=.*no-such-xc\.h5\)/,
      ],
      [() => Xception({ weights: null, includeTop: false, inputShape: [70, 100, 3] }), 'Input size must be at least 71x71; Received: input_shape=(70, 100, 3)'],
      [() => Xception({ inputShape: [224, 224, 3] }), '`input_shape` should be (299, 299, 3)'],
      [() => Xception({ classifierActivation: 'tanh' }), /Only `None` and `softmax` activations are allowed.*tanh/],
      [() => Xception({ weights: null, includeTop: false, pooling: 'sum' as never }), "Xception: `pooling` must be null, 'avg' or 'max'; Received: pooling=sum"],
    ]);
  });

  it("xceptionPreprocessInput is Keras' tf mode: x / 127.5 - 1", () => {
    const y = xceptionPreprocessInput(tensor([0, 127.5, 255, 25.5], [1, 1, 4]));
    expectAllClose(Array.from(y.dataSync()), [-1, 0, 1, 25.5 / 127.5 - 1], { atol: 1e-6, rtol: 1e-6 });
    y.dispose();
  });
});
