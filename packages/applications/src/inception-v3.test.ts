import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@strata/core';
import { Input, clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { InceptionV3, inceptionV3PreprocessInput } from './inception-v3';
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
import { type Img, batchNorm, concat, conv, dense, gap, pool, relu } from './testing/float64';

// ---- An independent description of Keras' InceptionV3 (keras/src/applications/inception_v3.py) ----

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
  const L = recorder(AUTO);
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

describe('InceptionV3 reference (independent of the code under test)', () => {
  it("reproduces Keras' published counts: 23,851,784 (34,432 non-trainable); 21,802,784 without the top", () => {
    expect(paramCounts(inceptionReference({ includeTop: true, size: 299 }))).toEqual({ total: 23851784, nonTrainable: 34432 });
    expect(paramCounts(inceptionReference({ includeTop: false, size: 299 })).total).toBe(21802784);
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
    expectArchitecture(m, { name: 'inception_v3', rows: inceptionReference({ includeTop: true, size: 299 }), params: 23851784, nonTrainable: 34432 });
    const bn = m.getLayer('batch_normalization').getConfig();
    expect([bn.scale, bn.center, bn.epsilon, bn.momentum]).toEqual([false, true, 1e-3, 0.99]);
    m.dispose();
  });

  it('no top: 21,802,784 params, unknown size by default; pooling avg / max', async () => {
    await expectHeadlessVariants(
      (o) => InceptionV3({ weights: null, includeTop: false, ...o }),
      (size, pooling) => inceptionReference({ includeTop: false, pooling, size }),
      { params: 21802784, channels: 2048, size: 75 },
    );
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

/** 3x3 pooling: max with stride 2 'valid', or average with stride 1 'same' over the real pixels only. */
const pool3 = (x: Img, mode: 'max' | 'avg'): Img => (mode === 'max' ? pool(x, 3, 2, 'max') : pool(x, 3, 1, 'avg', true));

/** Keras' InceptionV3 restated by hand; the n-th conv2d_bn call uses conv2d_n / batch_normalization_n. */
function inceptionV3Forward(W: Map<string, number[][]>, img: Img): number[] {
  let n = 0;
  const cb = (x: Img, f: number, kh: number, kw: number, s = 1, same = true): Img => {
    const sfx = n === 0 ? '' : `_${n}`;
    n++;
    const y = conv(x, W.get(`conv2d${sfx}`)![0]!, kh, kw, f, s, same);
    // scale=False: the weights are [beta, moving_mean, moving_variance].
    return relu(batchNorm(y, W.get(`batch_normalization${sfx}`)!, 1e-3));
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
  return dense(gap(x), k!, bias!);
}

describe('InceptionV3 forward pass', () => {
  it('at 75x75 (odd sizes, asymmetric kernels, same-padded average pools), 4 logits: equals a float64 re-implementation; no leak', async () => {
    await expectWholeNetworkForward(() => InceptionV3({ weights: null, inputShape: [75, 75, 3], classes: 4, classifierActivation: null }), inceptionV3Forward, { seed: 5, gain: 3, size: 75 });
  });
});

describe('InceptionV3 weights and arguments', () => {
  const tmp = useTempCache('strata-inception-');

  it('weights: <path of a Keras-layout .h5> (notop, 75x75): every weight lands in its layer', async () => {
    const rows = inceptionReference({ includeTop: false, size: 75 });
    await expectWeightsLoadByTopology((weights) => InceptionV3({ weights, includeTop: false, inputShape: [75, 75, 3] }), rows, join(tmp.dir, 'iv3.h5'));
  }, 60000);

  it("weights: 'imagenet' offline names Keras' file and URL; nothing leaks", async () => {
    await expectImagenetOffline(
      () => InceptionV3({ includeTop: false, inputShape: [75, 75, 3] }),
      'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
  });

  it("Keras' argument checks", async () => {
    await expectRejections([
      [() => InceptionV3({ classes: 10 }), 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes=10'],
      [() => InceptionV3({ weights: join(tmpdir(), 'no-such-iv3.h5') }), /or the path to the weights file to be loaded; Received: weights=.*no-such-iv3\.h5/],
      [() => InceptionV3({ weights: null, includeTop: false, inputShape: [74, 100, 3] }), 'Input size must be at least 75x75; Received: input_shape=(74, 100, 3)'],
      [() => InceptionV3({ inputShape: [224, 224, 3] }), '`input_shape` should be (299, 299, 3)'],
      [() => InceptionV3({ classifierActivation: 'sigmoid' }), /Only `None` and `softmax` activations are allowed.*sigmoid/],
      [() => InceptionV3({ weights: null, includeTop: false, pooling: 'min' as never }), "InceptionV3: `pooling` must be null, 'avg' or 'max'; Received: pooling=min"],
    ]);
  });

  it("inceptionV3PreprocessInput is Keras' tf mode: x / 127.5 - 1", () => {
    const y = inceptionV3PreprocessInput(tensor([0, 127.5, 255, 51], [1, 4]));
    expectAllClose(Array.from(y.dataSync()), [-1, 0, 1, 51 / 127.5 - 1], { atol: 1e-6, rtol: 1e-6 });
    y.dispose();
  });
});
