import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { type Tensor, tensor, tidy } from '@strata/core';
import { Input, clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { DenseNet121, DenseNet169, DenseNet201, densenetPreprocessInput } from './densenet';
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
  layerRows,
  paramCounts,
  recorder,
  useTempCache,
  expectWholeNetworkForward,
} from './testing/architecture-checks';
import { type Img, batchNorm, concat, conv, dense, gap, pad, pool, relu } from './testing/float64';

// ---- An independent description of Keras' DenseNet (keras/src/applications/densenet.py) ----

/** Keras' automatic names of the layers DenseNet leaves unnamed. */
const AUTO: Record<string, string> = {
  InputLayer: 'input_layer',
  ZeroPadding2D: 'zero_padding2d',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  GlobalMaxPooling2D: 'global_max_pooling2d',
};

const BLOCKS: Record<string, number[]> = { densenet121: [6, 12, 24, 16], densenet169: [6, 12, 32, 32], densenet201: [6, 12, 48, 32] };

/** DenseNet-BC from the paper's table: growth 32, bottleneck 4k, compression 0.5; Keras' names. */
function densenetReference(blocks: number[], opts: { includeTop: boolean; classes?: number; pooling?: 'avg' | 'max'; size: number | null }): Row[] {
  const L = recorder(AUTO);
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

// Keras' published totals (keras.io applications table, model.summary()).
const PUBLISHED = {
  densenet121: { top: 8062504 },
  densenet169: { top: 14307880 },
  densenet201: { top: 20242984 },
};

describe('DenseNet reference (independent of the code under test)', () => {
  it("reproduces Keras' published parameter counts and the notop = top - Dense rule", () => {
    for (const [name, pub] of Object.entries(PUBLISHED)) {
      const top = paramCounts(densenetReference(BLOCKS[name]!, { includeTop: true, size: 224 }));
      const notop = paramCounts(densenetReference(BLOCKS[name]!, { includeTop: false, size: 224 }));
      expect(top.total).toBe(pub.top);
      // The final BN has 1024/1664/1920 channels; the top adds a (c, 1000) kernel and 1000 biases.
      const c = { densenet121: 1024, densenet169: 1664, densenet201: 1920 }[name]!;
      expect(top.total - notop.total).toBe(c * 1000 + 1000);
    }
    expect(paramCounts(densenetReference(BLOCKS.densenet121!, { includeTop: false, size: 224 }))).toEqual({ total: 7037504, nonTrainable: 83648 });
    expect(paramCounts(densenetReference(BLOCKS.densenet169!, { includeTop: false, size: 224 })).total).toBe(12642880);
    expect(paramCounts(densenetReference(BLOCKS.densenet201!, { includeTop: false, size: 224 })).total).toBe(18321984);
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
    expectArchitecture(m, { name: 'densenet121', rows: densenetReference(BLOCKS.densenet121!, { includeTop: true, size: 224 }), params: 8062504, nonTrainable: 83648 });
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
    expectArchitecture(top, { name, rows: densenetReference(BLOCKS[name]!, { includeTop: true, size: 224 }), params: PUBLISHED[name].top });
    top.dispose();
    clearSession();
    const notop = await fn({ weights: null, includeTop: false, inputShape: [64, 64, 3] });
    expect(layerRows(notop)).toEqual(densenetReference(BLOCKS[name]!, { includeTop: false, size: 64 }));
    expect(notop.countParams()).toBe(PUBLISHED[name].top - channels * 1000 - 1000);
    expect(notop.outputs[0]!.shape).toEqual([null, 2, 2, channels]);
    notop.dispose();
  });

  it('no top: unknown size by default; pooling avg / max add avg_pool / max_pool', async () => {
    await expectHeadlessVariants(
      (o) => DenseNet121({ weights: null, includeTop: false, ...o }),
      (size, pooling) => densenetReference(BLOCKS.densenet121!, { includeTop: false, pooling, size }),
      { params: 7037504, channels: 1024, size: 32 },
    );
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

const EPS = 1.001e-5;

function densenet121Reference(W: Map<string, number[][]>, img: Img): number[] {
  const bnRelu = (x: Img, name: string) => relu(batchNorm(x, W.get(name)!, EPS));
  // A 'same' 3x3 stride-1 conv is a valid one on a 1-pixel zero border.
  const cv = (x: Img, name: string, k: number, f: number, s: number) => conv(x, W.get(name)![0]!, k, k, f, s, false);
  let x = cv(pad(img, 3, 3, 3, 3), 'conv1_conv', 7, 64, 2);
  x = pool(pad(bnRelu(x, 'conv1_bn'), 1, 1, 1, 1), 3, 2, 'max');
  [6, 12, 24, 16].forEach((n, stage) => {
    for (let i = 1; i <= n; i++) {
      const p = `conv${stage + 2}_block${i}`;
      let y = cv(bnRelu(x, `${p}_0_bn`), `${p}_1_conv`, 1, 128, 1);
      y = cv(pad(bnRelu(y, `${p}_1_bn`), 1, 1, 1, 1), `${p}_2_conv`, 3, 32, 1);
      x = concat([x, y]);
    }
    if (stage < 3) {
      const p = `pool${stage + 2}`;
      x = pool(cv(bnRelu(x, `${p}_bn`), `${p}_conv`, 1, x.c / 2, 1), 2, 2, 'avg');
    }
  });
  x = bnRelu(x, 'bn');
  const [k, bias] = W.get('predictions')!;
  return dense(gap(x), k!, bias!);
}

describe('DenseNet forward pass', () => {
  it('DenseNet121 at 32x32, 5 logits: equals a float64 re-implementation of the whole network; no leak', async () => {
    await expectWholeNetworkForward(() => DenseNet121({ weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null }), densenet121Reference, { seed: 3, gain: 2, size: 32 });
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
  const tmp = useTempCache('strata-densenet-');

  it('weights: <path of a Keras-layout .h5> (DenseNet121 notop, 32x32): every weight lands in its layer', async () => {
    const rows = densenetReference(BLOCKS.densenet121!, { includeTop: false, size: 32 });
    await expectWeightsLoadByTopology((weights) => DenseNet121({ weights, includeTop: false, inputShape: [32, 32, 3] }), rows, join(tmp.dir, 'dn121.h5'));
  }, 60000);

  it("weights: 'imagenet' offline names Keras' file and URL; nothing leaks", async () => {
    await expectImagenetOffline(
      () => DenseNet169({ includeTop: false, inputShape: [32, 32, 3] }),
      'https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
  });

  it("Keras' argument checks", async () => {
    await expectRejections([
      [() => DenseNet121({ classes: 10 }), 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000 (DenseNet121 received classes=10)'],
      [
        () => DenseNet121({ weights: join(tmpdir(), 'no-such-densenet.h5') }),
        /The `weights` argument should be either `None` \(random initialization\), `imagenet`.*DenseNet121 received weights=.*no-such-densenet\.h5/,
      ],
      [() => DenseNet121({ weights: null, includeTop: false, inputShape: [31, 64, 3] }), 'Input size must be at least 32x32; Received: input_shape=(31, 64, 3)'],
      [() => DenseNet121({ includeTop: true, inputShape: [128, 128, 3] }), '`input_shape` should be (224, 224, 3)'],
      [() => DenseNet121({ weights: 'imagenet', classifierActivation: 'relu' }), /Only `None` and `softmax` activations are allowed.*relu/],
      [() => DenseNet201({ weights: null, includeTop: false, pooling: 'sum' as never }), "DenseNet201: `pooling` must be null, 'avg' or 'max'; Received: pooling=sum"],
    ]);
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
