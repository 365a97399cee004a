import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { CosineSimilarity } from './cosine-similarity';
import { cosineSimilarity, huber, logCosh, meanAbsolutePercentageError, meanSquaredLogarithmicError } from './functions';
import { Huber } from './huber';
import { LogCosh } from './log-cosh';
import { MeanAbsolutePercentageError } from './mean-absolute-percentage-error';
import { MeanSquaredLogarithmicError } from './mean-squared-logarithmic-error';

const EPS = 1e-7;
const YT = [
  [1, 2, -3],
  [0, 0.5, 4],
  [2, 2, 2],
];
const YP = [
  [1.5, 1, -2],
  [0.2, 0.5, 10],
  [-1, 0, 5],
];

// float64 references, one value per row
const perRow = (f: (t: number[], p: number[]) => number, yt = YT, yp = YP) => yt.map((t, i) => f(t, yp[i]!));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const refMape = (t: number[], p: number[]) => 100 * mean(t.map((v, j) => Math.abs((v - p[j]!) / Math.max(Math.abs(v), EPS))));
const refMsle = (t: number[], p: number[]) =>
  mean(t.map((v, j) => (Math.log(Math.max(p[j]!, EPS) + 1) - Math.log(Math.max(v, EPS) + 1)) ** 2));
const norm = (v: number[]) => Math.max(Math.sqrt(v.reduce((a, b) => a + b * b, 0)), EPS);
const refCos = (t: number[], p: number[]) => -t.reduce((a, v, j) => a + (v / norm(t)) * (p[j]! / norm(p)), 0);
const refHuber = (delta: number) => (t: number[], p: number[]) =>
  mean(
    t.map((v, j) => {
      const x = Math.abs(p[j]! - v);
      return x <= delta ? 0.5 * x * x : delta * x - 0.5 * delta * delta;
    }),
  );
const refLogCosh = (t: number[], p: number[]) => mean(t.map((v, j) => Math.log(Math.cosh(p[j]! - v))));

describe('MeanAbsolutePercentageError', () => {
  it('matches the float64 reference, Keras docstring and zero targets stay finite', () => {
    expectAllClose(meanAbsolutePercentageError(YT, YP), perRow(refMape), { rtol: 1e-5 });
    // keras.metrics docstring: [[0, 1], [0, 0]] vs [[1, 1], [0, 0]] -> 2.5e8 averaged
    const v = meanAbsolutePercentageError([[0, 1], [0, 0]], [[1, 1], [0, 0]]);
    expectAllClose(v, [5e8, 0], { rtol: 1e-5 });
    expect(Number.isFinite(v.dataSync()[0]!)).toBe(true);
    v.dispose();
  });

  it('class form: reductions and sample weights', () => {
    const rows = perRow(refMape);
    expectAllClose(new MeanAbsolutePercentageError().apply(YT, YP), mean(rows), { rtol: 1e-5 });
    expectAllClose(new MeanAbsolutePercentageError({ reduction: 'sum' }).apply(YT, YP), rows[0]! + rows[1]! + rows[2]!, { rtol: 1e-5 });
    expectAllClose(new MeanAbsolutePercentageError({ reduction: 'none' }).apply(YT, YP), rows, { rtol: 1e-5 });
    expectAllClose(new MeanAbsolutePercentageError().apply(YT, YP, [1, 0, 3]), (rows[0]! + 3 * rows[2]!) / 3, { rtol: 1e-5 });
    expectAllClose(
      new MeanAbsolutePercentageError({ reduction: 'mean_with_sample_weight' }).apply(YT, YP, [1, 0, 3]),
      (rows[0]! + 3 * rows[2]!) / 4,
      { rtol: 1e-5 },
    );
  });
});

describe('MeanSquaredLogarithmicError', () => {
  it('matches the float64 reference (negative values floored at eps) and the Keras docstring', () => {
    expectAllClose(meanSquaredLogarithmicError(YT, YP), perRow(refMsle), { rtol: 1e-5, atol: 1e-6 });
    // keras.metrics.MeanSquaredLogarithmicError docstring: 0.12011322 over the batch
    expectAllClose(new MeanSquaredLogarithmicError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]), 0.12011322, { rtol: 1e-5 });
    expectAllClose(new MeanSquaredLogarithmicError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]], [1, 0]), 0.24022643 / 2, { rtol: 1e-5 });
  });
});

describe('CosineSimilarity', () => {
  it('is the negative cosine; zero vectors give 0 (Keras docstring numbers)', () => {
    expectAllClose(
      cosineSimilarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]),
      [0, -1, 1],
      { atol: 1e-6 },
    );
    expectAllClose(cosineSimilarity([[0, 0], [1, 2]], [[1, 1], [0, 0]]), [0, 0]);
    expectAllClose(cosineSimilarity(YT, YP), perRow(refCos), { rtol: 1e-5 });
  });

  it('axis: along the batch axis of the transposed inputs', () => {
    const t = (m: number[][]) => m[0]!.map((_, j) => m.map((r) => r[j]!));
    expectAllClose(cosineSimilarity(t(YT), t(YP), { axis: 0 }), perRow(refCos), { rtol: 1e-5 });
    const l = new CosineSimilarity({ axis: 0, reduction: 'none' });
    expectAllClose(l.apply(t(YT), t(YP)), perRow(refCos), { rtol: 1e-5 });
  });

  it('config keeps axis (Keras #23286) and round-trips', () => {
    const l = new CosineSimilarity({ axis: 1, reduction: 'sum' });
    expect(l.getConfig()).toEqual({ name: 'cosine_similarity', reduction: 'sum', axis: 1 });
    expect(CosineSimilarity.fromConfig(l.getConfig()).getConfig()).toEqual(l.getConfig());
    expect(new CosineSimilarity().getConfig()).toEqual({ name: 'cosine_similarity', reduction: 'sum_over_batch_size', axis: -1 });
  });
});

describe('Huber', () => {
  it('matches the float64 reference for several deltas and the Keras docstring (0.155)', () => {
    expectAllClose(huber(YT, YP), perRow(refHuber(1)), { rtol: 1e-5 });
    expectAllClose(huber(YT, YP, { delta: 2.5 }), perRow(refHuber(2.5)), { rtol: 1e-5 });
    expectAllClose(new Huber().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 0.155, { rtol: 1e-5 });
  });

  it('every reduction with sample weights', () => {
    const rows = perRow(refHuber(0.5));
    const sw = [2, 1, 0];
    const weighted = rows.map((r, i) => r * sw[i]!);
    const sum = weighted.reduce((a, b) => a + b, 0);
    expectAllClose(new Huber({ delta: 0.5, reduction: 'none' }).apply(YT, YP, sw), weighted, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: null }).apply(YT, YP, sw), weighted, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: 'sum' }).apply(YT, YP, sw), sum, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: 'sum_over_batch_size' }).apply(YT, YP, sw), sum / 3, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: 'mean' }).apply(YT, YP, sw), sum / 3, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: 'mean_with_sample_weight' }).apply(YT, YP, sw), sum / 3, { rtol: 1e-5 });
    expectAllClose(new Huber({ delta: 0.5, reduction: 'mean_with_sample_weight' }).apply(YT, YP, [1, 1, 2]), (rows[0]! + rows[1]! + 2 * rows[2]!) / 4, {
      rtol: 1e-5,
    });
  });

  it('config keeps delta (Keras #23286) and round-trips; name huber_loss', () => {
    const l = new Huber({ delta: 2 });
    expect(l.getConfig()).toEqual({ name: 'huber_loss', reduction: 'sum_over_batch_size', delta: 2 });
    const back = Huber.fromConfig(l.getConfig());
    expect(back.delta).toBe(2);
    expect(back.getConfig()).toEqual(l.getConfig());
    // the PR's repro: delta 2 on errors of 4 gives 6, not 3.5
    expectAllClose(back.apply([[0], [0]], [[4], [4]]), 6);
    expect(() => huber([[1]], [[1]], { delta: Number.NaN })).toThrow(/huber: `delta` must be a finite number/);
  });
});

describe('LogCosh', () => {
  it('matches log(cosh(x)) in float64, stays finite for huge errors, Keras docstring 0.108', () => {
    expectAllClose(logCosh(YT, YP), perRow(refLogCosh), { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(new LogCosh().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]), 0.10844523, { rtol: 1e-5 });
    // log(cosh(1000)) = 1000 - log 2; cosh itself would overflow
    expectAllClose(logCosh([[0]], [[1000]]), [1000 - Math.LN2], { rtol: 1e-6 });
    expectAllClose(logCosh([[0]], [[-1000]]), [1000 - Math.LN2], { rtol: 1e-6 });
  });
});

describe('shared behaviour', () => {
  const all = [
    ['mean_absolute_percentage_error', meanAbsolutePercentageError],
    ['mean_squared_logarithmic_error', meanSquaredLogarithmicError],
    ['cosine_similarity', cosineSimilarity],
    ['huber', huber],
    ['log_cosh', logCosh],
  ] as const;

  it('mismatched shapes throw a ValueError naming the loss and both shapes', () => {
    for (const [name, fn] of all) {
      expect(() => fn([[1, 2, 3]], [[1, 2]]), name).toThrow(
        new RegExp(`${name}: y_true and y_pred have incompatible shapes.*y_true.shape=\\[1, 3\\], y_pred.shape=\\[1, 2\\]`),
      );
    }
  });

  it('identifiers, names and config round trips', () => {
    const cases: [string, unknown, string][] = [
      ['mape', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['MAPE', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['mean_absolute_percentage_error', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['msle', MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error'],
      ['MSLE', MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error'],
      ['MeanSquaredLogarithmicError', MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error'],
      ['cosine_similarity', CosineSimilarity, 'cosine_similarity'],
      ['huber', Huber, 'huber_loss'],
      ['Huber', Huber, 'huber_loss'],
      ['log_cosh', LogCosh, 'log_cosh'],
      ['logcosh', LogCosh, 'log_cosh'],
      ['LogCosh', LogCosh, 'log_cosh'],
    ];
    for (const [id, cls, name] of cases) {
      const l = get(id);
      expect(l, id).toBeInstanceOf(cls as never);
      expect(l.name).toBe(name);
    }
    for (const cls of [MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCosh]) {
      const l = new cls({ reduction: 'sum', name: 'x' });
      expect(l.getConfig()).toEqual({ name: 'x', reduction: 'sum' });
      expect(cls.fromConfig(l.getConfig()).getConfig()).toEqual(l.getConfig());
    }
  });

  it('leaks nothing', () => {
    const yt = tensor(YT);
    const yp = tensor(YP);
    const before = memory().numTensors;
    for (const [, fn] of all) fn(yt, yp).dispose();
    for (const l of [new MeanAbsolutePercentageError(), new MeanSquaredLogarithmicError(), new CosineSimilarity(), new Huber(), new LogCosh()]) {
      l.apply(yt, yp, [1, 2, 3]).dispose();
    }
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
  });
});
