import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { CategoricalHinge } from './categorical-hinge';
import { categoricalHinge, convertBinaryLabelsToHinge, hinge, squaredHinge } from './functions';
import { Hinge } from './hinge';
import { SquaredHinge } from './squared-hinge';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
// float64 references: labels already in the -1/1 (or raw) form the loss should use
const refHinge = (t: number[][], p: number[][]) => t.map((r, i) => mean(r.map((v, j) => Math.max(1 - v * p[i]![j]!, 0))));
const refSquaredHinge = (t: number[][], p: number[][]) => t.map((r, i) => mean(r.map((v, j) => Math.max(1 - v * p[i]![j]!, 0) ** 2)));
const refCategoricalHinge = (t: number[][], p: number[][]) =>
  t.map((r, i) => {
    const pos = r.reduce((a, v, j) => a + v * p[i]![j]!, 0);
    const neg = Math.max(...r.map((v, j) => (1 - v) * p[i]![j]!));
    return Math.max(neg - pos + 1, 0);
  });
const toPm1 = (t: number[][]) => t.map((r) => r.map((v) => 2 * v - 1));

const YT = [
  [0, 1],
  [0, 0],
];
const YP = [
  [0.6, 0.4],
  [0.4, 0.6],
];

describe('hinge losses', () => {
  it('Keras docstring numbers (0/1 labels are converted to -1/1)', () => {
    expectAllClose(new Hinge().apply(YT, YP), 1.3, { rtol: 1e-6 });
    expectAllClose(new SquaredHinge().apply(YT, YP), 1.86, { rtol: 1e-6 });
    expectAllClose(new CategoricalHinge().apply(YT, YP), 1.4, { rtol: 1e-6 });
    // sample weight [1, 0]: the weighted sum over the batch size 2
    expectAllClose(new Hinge().apply(YT, YP, [1, 0]), 1.1 / 2, { rtol: 1e-6 });
    expectAllClose(new SquaredHinge().apply(YT, YP, [1, 0]), 1.46 / 2, { rtol: 1e-6 });
    expectAllClose(new CategoricalHinge().apply(YT, YP, [1, 0]), 1.2 / 2, { rtol: 1e-6 });
  });

  it('match the float64 references; -1/1 and non-binary labels are used as they are', () => {
    const t01 = [
      [1, 0, 1],
      [0, 0, 1],
    ];
    const p = [
      [0.3, -1.2, 2],
      [0.5, 0.9, -0.7],
    ];
    expectAllClose(hinge(t01, p), refHinge(toPm1(t01), p), { rtol: 1e-6 });
    expectAllClose(squaredHinge(t01, p), refSquaredHinge(toPm1(t01), p), { rtol: 1e-6 });
    const tpm = toPm1(t01);
    expectAllClose(hinge(tpm, p), refHinge(tpm, p), { rtol: 1e-6 });
    // one 0.5 makes the batch non-binary: 0s stay 0
    const mixed = [
      [1, 0, 0.5],
      [0, 1, 1],
    ];
    expectAllClose(hinge(mixed, p), refHinge(mixed, p), { rtol: 1e-6 });
    expectAllClose(squaredHinge(mixed, p), refSquaredHinge(mixed, p), { rtol: 1e-6 });
    expectAllClose(convertBinaryLabelsToHinge(tensor([0, 1, 1])), [-1, 1, 1]);
    expectAllClose(convertBinaryLabelsToHinge(tensor([-1, 1, 1])), [-1, 1, 1]);
    const oneHot = [
      [0, 0, 1],
      [1, 0, 0],
    ];
    expectAllClose(categoricalHinge(oneHot, p), refCategoricalHinge(oneHot, p), { rtol: 1e-6 });
  });

  it('edge cases: all-zero targets (all -1) and a single class', () => {
    const zeros = [
      [0, 0],
      [0, 0],
    ];
    expectAllClose(hinge(zeros, YP), refHinge(toPm1(zeros), YP), { rtol: 1e-6 });
    expectAllClose(hinge([[1], [0]], [[0.3], [2]]), [0.7, 3], { rtol: 1e-6 });
    // categorical hinge with one class: neg is 0 for the true class
    expectAllClose(categoricalHinge([[1], [1]], [[0.25], [2]]), [0.75, 0], { rtol: 1e-6 });
  });

  it('every reduction for Hinge', () => {
    const rows = refHinge(toPm1(YT), YP);
    expectAllClose(new Hinge({ reduction: 'none' }).apply(YT, YP), rows, { rtol: 1e-6 });
    expectAllClose(new Hinge({ reduction: 'sum' }).apply(YT, YP, [2, 3]), 2 * rows[0]! + 3 * rows[1]!, { rtol: 1e-6 });
    expectAllClose(new Hinge({ reduction: 'mean' }).apply(YT, YP, [2, 3]), (2 * rows[0]! + 3 * rows[1]!) / 2, { rtol: 1e-6 });
    expectAllClose(new Hinge({ reduction: 'mean_with_sample_weight' }).apply(YT, YP, [2, 3]), (2 * rows[0]! + 3 * rows[1]!) / 5, {
      rtol: 1e-6,
    });
  });

  it('mismatched shapes name the loss and the shapes', () => {
    expect(() => hinge([[1, 0, 1]], [[1, 0]])).toThrow(/hinge: y_true and y_pred have incompatible shapes.*\[1, 3\].*\[1, 2\]/);
    expect(() => squaredHinge([[1, 0, 1]], [[1, 0]])).toThrow(/squared_hinge: .*\[1, 3\].*\[1, 2\]/);
    expect(() => categoricalHinge([[1, 0, 1]], [[1, 0]])).toThrow(/categorical_hinge: .*\[1, 3\].*\[1, 2\]/);
    expect(() => new Hinge().apply([[1, 0, 1]], [[1, 0]])).toThrow(/hinge: /);
  });

  it('config, identifiers, no leaks', () => {
    for (const [id, cls, name] of [
      ['hinge', Hinge, 'hinge'],
      ['Hinge', Hinge, 'hinge'],
      ['squared_hinge', SquaredHinge, 'squared_hinge'],
      ['SquaredHinge', SquaredHinge, 'squared_hinge'],
      ['categorical_hinge', CategoricalHinge, 'categorical_hinge'],
      ['CategoricalHinge', CategoricalHinge, 'categorical_hinge'],
    ] as const) {
      const l = get(id);
      expect(l, id).toBeInstanceOf(cls);
      expect(l.getConfig()).toEqual({ name, reduction: 'sum_over_batch_size' });
      expect(cls.fromConfig({ name: 'x', reduction: 'sum' }).getConfig()).toEqual({ name: 'x', reduction: 'sum' });
    }
    const yt = tensor(YT);
    const yp = tensor(YP);
    const before = memory().numTensors;
    hinge(yt, yp).dispose();
    squaredHinge(yt, yp).dispose();
    categoricalHinge(yt, yp).dispose();
    new Hinge().apply(yt, yp, [1, 2]).dispose();
    new CategoricalHinge().apply(yt, yp).dispose();
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
  });
});
