import { memory, ops, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BinaryCrossentropy } from './binary-crossentropy';
import { CategoricalCrossentropy } from './categorical-crossentropy';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from './functions';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy';

afterEach(() => {
  vi.restoreAllMocks();
});

const EPS = 1e-7;
const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (y: number, p: number) => -(y * Math.log(clip(p)) + (1 - y) * Math.log(1 - clip(p)));

// Keras' docstring examples.
const Y_ONEHOT = [
  [0, 1, 0],
  [0, 0, 1],
];
const Y_SPARSE = [1, 2];
const P = [
  [0.05, 0.95, 0],
  [0.1, 0.8, 0.1],
];
const PER_SAMPLE = [-Math.log(0.95), -Math.log(0.1)]; // [0.0513, 2.303]

describe('CategoricalCrossentropy', () => {
  it('matches Keras for every reduction and with sample weights', () => {
    expectAllClose(categoricalCrossentropy(Y_ONEHOT, P), PER_SAMPLE);
    expectAllClose(new CategoricalCrossentropy().apply(Y_ONEHOT, P), (PER_SAMPLE[0]! + PER_SAMPLE[1]!) / 2); // 1.177
    expectAllClose(new CategoricalCrossentropy().apply(Y_ONEHOT, P, [0.3, 0.7]), (0.3 * PER_SAMPLE[0]! + 0.7 * PER_SAMPLE[1]!) / 2); // 0.814
    expectAllClose(new CategoricalCrossentropy({ reduction: 'sum' }).apply(Y_ONEHOT, P), PER_SAMPLE[0]! + PER_SAMPLE[1]!); // 2.354
    expectAllClose(new CategoricalCrossentropy({ reduction: 'none' }).apply(Y_ONEHOT, P), PER_SAMPLE);
    expectAllClose(new CategoricalCrossentropy({ reduction: null }).apply(Y_ONEHOT, P), PER_SAMPLE);
  });

  it('normalises unnormalised probabilities, then clips', () => {
    // [2, 6, 2] -> [0.2, 0.6, 0.2]; a zero probability on the target clips to 1e-7
    expectAllClose(categoricalCrossentropy([[0, 1, 0]], [[2, 6, 2]]), [-Math.log(0.6)]);
    expectAllClose(categoricalCrossentropy([[1, 0]], [[0, 1]]), [-Math.log(EPS)], { rtol: 1e-5 });
  });

  it('fromLogits equals softmax then probabilities', () => {
    const logits = [
      [1, 2, 3],
      [-1, 0.5, 4],
    ];
    const probs = tidy(() => ops.softmax(tensor(logits)));
    const a = new CategoricalCrossentropy({ fromLogits: true }).apply(Y_ONEHOT, logits);
    const b = new CategoricalCrossentropy().apply(Y_ONEHOT, probs);
    expectAllClose(a, b, { atol: 1e-6 });
    expectAllClose(categoricalCrossentropy(Y_ONEHOT, logits, true), categoricalCrossentropy(Y_ONEHOT, probs), { atol: 1e-6 });
    probs.dispose();
  });

  it('label smoothing: y * (1 - s) + s / numClasses', () => {
    const s = 0.3;
    const ys = Y_ONEHOT.map((r) => r.map((y) => y * (1 - s) + s / 3));
    const want = ys.map((r, i) => -r.reduce((acc, y, j) => acc + y * Math.log(clip(P[i]![j]!)), 0));
    expectAllClose(new CategoricalCrossentropy({ labelSmoothing: s, reduction: 'none' }).apply(Y_ONEHOT, P), want, { rtol: 1e-5 });
  });

  it('the class axis can be another axis', () => {
    const yt = [
      [0, 0],
      [1, 0],
      [0, 1],
    ]; // classes along axis 0 (3 classes, 2 samples)
    const yp = [
      [0.05, 0.1],
      [0.95, 0.8],
      [0, 0.1],
    ];
    expectAllClose(categoricalCrossentropy(yt, yp, { axis: 0 }), PER_SAMPLE);
  });

  it('config round trip', () => {
    const l = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, reduction: 'sum', name: 'cce' });
    const config = l.getConfig();
    expect(config).toEqual({ name: 'cce', reduction: 'sum', from_logits: true, label_smoothing: 0.1, axis: -1 });
    const back = CategoricalCrossentropy.fromConfig(config);
    expect(back.getConfig()).toEqual(config);
    expect(new CategoricalCrossentropy().getConfig()).toEqual({
      name: 'categorical_crossentropy',
      reduction: 'sum_over_batch_size',
      from_logits: false,
      label_smoothing: 0,
      axis: -1,
    });
  });

  it('warns when yPred has a single class', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    categoricalCrossentropy([[1]], [[0.5]]).dispose();
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe('SparseCategoricalCrossentropy', () => {
  it('matches Keras with (N,) and (N, 1) labels', () => {
    expectAllClose(sparseCategoricalCrossentropy(Y_SPARSE, P), PER_SAMPLE);
    expectAllClose(sparseCategoricalCrossentropy([[1], [2]], P), PER_SAMPLE);
    const l = new SparseCategoricalCrossentropy();
    expectAllClose(l.apply(Y_SPARSE, P), (PER_SAMPLE[0]! + PER_SAMPLE[1]!) / 2);
    expectAllClose(l.apply(tensor([[1], [2]], undefined, 'int32'), P, [0.3, 0.7]), (0.3 * PER_SAMPLE[0]! + 0.7 * PER_SAMPLE[1]!) / 2);
    expectAllClose(new SparseCategoricalCrossentropy({ reduction: 'sum' }).apply(Y_SPARSE, P), PER_SAMPLE[0]! + PER_SAMPLE[1]!);
  });

  it('fromLogits equals softmax then probabilities', () => {
    const logits = [
      [1, 2, 3],
      [-1, 0.5, 4],
    ];
    const probs = tidy(() => ops.softmax(tensor(logits)));
    expectAllClose(
      new SparseCategoricalCrossentropy({ fromLogits: true }).apply(Y_SPARSE, logits),
      new SparseCategoricalCrossentropy().apply(Y_SPARSE, probs),
      { atol: 1e-6 },
    );
    probs.dispose();
  });

  it('ignoreClass zeroes those entries and averages over the rest', () => {
    const yt = [1, -1, 2];
    const yp = [P[0]!, [0.3, 0.3, 0.4], P[1]!];
    expectAllClose(sparseCategoricalCrossentropy(yt, yp, { ignoreClass: -1 }), [PER_SAMPLE[0]!, 0, PER_SAMPLE[1]!]);
    const l = new SparseCategoricalCrossentropy({ ignoreClass: -1 });
    expectAllClose(l.apply(yt, yp), (PER_SAMPLE[0]! + PER_SAMPLE[1]!) / 2, { rtol: 1e-5 });
    expectAllClose(new SparseCategoricalCrossentropy({ ignoreClass: -1, reduction: 'sum' }).apply(yt, yp), PER_SAMPLE[0]! + PER_SAMPLE[1]!);
    expect(l.getConfig()).toEqual({
      name: 'sparse_categorical_crossentropy',
      reduction: 'sum_over_batch_size',
      from_logits: false,
      ignore_class: -1,
    });
  });
});

describe('BinaryCrossentropy', () => {
  const YT = [
    [0, 1],
    [0, 0],
  ];
  const LOGITS = [
    [-18.6, 0.51],
    [2.94, -12.8],
  ];
  const perSample = LOGITS.map((r, i) => r.reduce((a, x, j) => a + bce(YT[i]![j]!, sigmoid(x)), 0) / r.length);

  it('matches Keras from logits (docstring: 0.8654, 0.243, 1.730, [0.235, 1.496])', () => {
    const l = new BinaryCrossentropy({ fromLogits: true });
    expectAllClose(l.apply(YT, LOGITS), (perSample[0]! + perSample[1]!) / 2, { rtol: 1e-5 });
    expectAllClose(l.apply(YT, LOGITS), 0.8654, { atol: 1e-4 });
    expectAllClose(l.apply(YT, LOGITS, [0.8, 0.2]), 0.243, { atol: 1e-3 });
    expectAllClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'sum' }).apply(YT, LOGITS), 1.73, { atol: 1e-3 });
    expectAllClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'none' }).apply(YT, LOGITS), [0.235, 1.496], { atol: 1e-3 });
    expectAllClose(new BinaryCrossentropy({ fromLogits: true }).apply([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.8654, { atol: 1e-4 });
  });

  it('from probabilities (docstring: [0.916, 0.714]) and fromLogits equivalence', () => {
    const p = [
      [0.6, 0.4],
      [0.4, 0.6],
    ];
    const want = p.map((r, i) => r.reduce((a, x, j) => a + bce(YT[i]![j]!, x), 0) / 2);
    expectAllClose(binaryCrossentropy(YT, p), want);
    expectAllClose(binaryCrossentropy(YT, p), [0.916, 0.714], { atol: 1e-3 });
    const probs = tidy(() => ops.sigmoid(tensor([[-2, 0.5], [3, -1]])));
    expectAllClose(binaryCrossentropy(YT, [[-2, 0.5], [3, -1]], true), binaryCrossentropy(YT, probs), { atol: 1e-6 });
    probs.dispose();
  });

  it('label smoothing squeezes labels towards 0.5; (N,) labels match (N, 1) outputs', () => {
    const s = 0.2;
    const p = [[0.9], [0.2], [0.6]];
    const y = [1, 0, 1];
    const want = y.map((t, i) => bce(t * (1 - s) + 0.5 * s, p[i]![0]!));
    expectAllClose(new BinaryCrossentropy({ labelSmoothing: s, reduction: 'none' }).apply(y, p), want, { rtol: 1e-5 });
    expectAllClose(new BinaryCrossentropy().apply(y, p), (bce(1, 0.9) + bce(0, 0.2) + bce(1, 0.6)) / 3, { rtol: 1e-5 });
  });

  it('config round trip', () => {
    const l = new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 });
    const config = l.getConfig();
    expect(config).toEqual({ name: 'binary_crossentropy', reduction: 'sum_over_batch_size', from_logits: true, label_smoothing: 0.1, axis: -1 });
    expect(BinaryCrossentropy.fromConfig(config).getConfig()).toEqual(config);
  });
});

describe('memory', () => {
  it('apply and the function forms return one tensor and leak nothing', () => {
    const yt = tensor(Y_ONEHOT);
    const yp = tensor(P);
    const sw = tensor([0.3, 0.7]);
    const losses = [
      new CategoricalCrossentropy(),
      new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      new BinaryCrossentropy({ labelSmoothing: 0.1 }),
      new SparseCategoricalCrossentropy({ ignoreClass: 0 }),
    ];
    const sparse = tensor([1, 2]);
    const before = memory().numTensors;
    for (const l of losses) {
      const out = l.apply(l instanceof SparseCategoricalCrossentropy ? sparse : yt, yp, sw);
      expect(memory().numTensors).toBe(before + 1);
      out.dispose();
    }
    for (const f of [categoricalCrossentropy(yt, yp), binaryCrossentropy(yt, yp), sparseCategoricalCrossentropy(sparse, yp)]) {
      f.dispose();
    }
    expect(memory().numTensors).toBe(before);
    for (const t of [yt, yp, sw, sparse]) t.dispose();
  });
});
