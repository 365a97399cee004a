import { tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { CosineSimilarity, cosineSimilarityMetric } from './cosine-similarity';
import { LogCoshError } from './log-cosh-error';
import { MeanAbsolutePercentageError } from './mean-absolute-percentage-error';
import { MeanSquaredLogarithmicError } from './mean-squared-logarithmic-error';

const EPS = 1e-7;
const YT = [
  [0, 1],
  [0, 0],
];
const YP = [
  [1, 1],
  [0, 0],
];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const weightedMean = (v: number[], w: number[]) => v.reduce((a, x, i) => a + x * w[i]!, 0) / w.reduce((a, b) => a + b, 0);

describe('MeanAbsolutePercentageError metric', () => {
  it('Keras docstring numbers: 2.5e8, weighted 5e8', () => {
    const m = new MeanAbsolutePercentageError();
    m.updateState(YT, YP);
    expectResult(m, 250000000);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 500000000);
    expect(m.getConfig()).toEqual({ name: 'mean_absolute_percentage_error', dtype: 'float32' });
    expect(m.direction).toBe('down');
    m.dispose();
  });

  it('accumulates over updates against a float64 reference', () => {
    const t = [
      [2, 4],
      [-1, 5],
      [3, 3],
    ];
    const p = [
      [1, 5],
      [-2, 5],
      [0, 6],
    ];
    const rows = t.map((r, i) => 100 * mean(r.map((v, j) => Math.abs((v - p[i]![j]!) / Math.max(Math.abs(v), EPS)))));
    const m = new MeanAbsolutePercentageError();
    m.updateState(t.slice(0, 2), p.slice(0, 2), [1, 2]);
    m.updateState(t.slice(2), p.slice(2), [0.5]);
    expectResult(m, weightedMean(rows, [1, 2, 0.5]));
    m.dispose();
  });
});

describe('MeanSquaredLogarithmicError metric', () => {
  it('Keras docstring numbers: 0.12011322, weighted 0.24022643', () => {
    const m = new MeanSquaredLogarithmicError();
    m.updateState(YT, YP);
    expectResult(m, 0.12011322);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 0.24022643);
    expect(m.getConfig()).toEqual({ name: 'mean_squared_logarithmic_error', dtype: 'float32' });
    m.dispose();
  });
});

describe('CosineSimilarity metric', () => {
  it('Keras docstring numbers: +0.5, weighted 0.7 (positive, unlike the loss)', () => {
    const m = new CosineSimilarity({ axis: 1 });
    m.updateState([[0, 1], [1, 1]], [[1, 0], [1, 1]]);
    expectResult(m, 0.49999997);
    m.resetState();
    m.updateState([[0, 1], [1, 1]], [[1, 0], [1, 1]], [0.3, 0.7]);
    expectResult(m, 0.6999999);
    expect(m.getConfig()).toEqual({ name: 'cosine_similarity', dtype: 'float32', axis: 1 });
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it('function form against float64; opposite vectors give -1, zero vectors 0; axis 0', () => {
    const t = [
      [1, 2, 2],
      [0, 0, 0],
      [3, -1, 0.5],
    ];
    const p = [
      [-1, -2, -2],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const n = (v: number[]) => Math.max(Math.hypot(...v), EPS);
    const ref = t.map((r, i) => r.reduce((a, v, j) => a + (v / n(r)) * (p[i]![j]! / n(p[i]!)), 0));
    const v = cosineSimilarityMetric(t, p);
    const d = Array.from(v.dataSync());
    v.dispose();
    for (const [i, x] of d.entries()) expect(x).toBeCloseTo(ref[i]!, 5);
    expect(d[0]).toBeCloseTo(-1, 5);
    const tr = (m: number[][]) => m[0]!.map((_, j) => m.map((r) => r[j]!));
    const v0 = cosineSimilarityMetric(tr(t), tr(p), { axis: 0 });
    for (const [i, x] of Array.from(v0.dataSync()).entries()) expect(x).toBeCloseTo(ref[i]!, 5);
    v0.dispose();
    expect(() => cosineSimilarityMetric([[1, 2, 3]], [[1, 2]])).toThrow(/cosine_similarity: .*y_true.shape=\[1, 3\], y_pred.shape=\[1, 2\]/);
  });

  it('config round trip keeps axis', () => {
    const m = new CosineSimilarity({ axis: 0, name: 'cos' });
    const back = CosineSimilarity.fromConfig(m.getConfig());
    expect(back.getConfig()).toEqual({ name: 'cos', dtype: 'float32', axis: 0 });
    m.dispose();
    back.dispose();
  });
});

describe('LogCoshError metric', () => {
  it('Keras docstring numbers: 0.10844523, weighted 0.21689045; named logcosh', () => {
    const m = new LogCoshError();
    m.updateState(YT, YP);
    expectResult(m, 0.10844523);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 0.21689045);
    expect(m.getConfig()).toEqual({ name: 'logcosh', dtype: 'float32' });
    m.dispose();
  });
});

describe('new regression metrics: identifiers, round trips, no leaks or reads', () => {
  it('get() and fromConfig', () => {
    for (const [id, cls, name] of [
      ['mape', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['MAPE', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['mean_absolute_percentage_error', MeanAbsolutePercentageError, 'mean_absolute_percentage_error'],
      ['msle', MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error'],
      ['MSLE', MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error'],
      ['cosine_similarity', CosineSimilarity, 'cosine_similarity'],
      ['CosineSimilarity', CosineSimilarity, 'cosine_similarity'],
      ['log_cosh_error', LogCoshError, 'logcosh'],
      ['LogCoshError', LogCoshError, 'logcosh'],
    ] as const) {
      const m = get(id);
      expect(m, id).toBeInstanceOf(cls);
      expect(m.name).toBe(name);
      const back = (cls as unknown as { fromConfig: (c: unknown) => typeof m }).fromConfig(m.getConfig());
      expect(back.getConfig()).toEqual(m.getConfig());
      m.dispose();
      back.dispose();
    }
  });

  it('updateState leaks nothing and reads nothing back', () => {
    const ms = [new MeanAbsolutePercentageError(), new MeanSquaredLogarithmicError(), new CosineSimilarity(), new LogCoshError()];
    const yt = tensor(YT);
    const yp = tensor(YP);
    expectNoLeakNoRead(() => {
      for (const m of ms) {
        m.updateState(yt, yp, [1, 2]);
        m.updateState(YT, YP);
      }
    });
    for (const m of ms) m.dispose();
    yt.dispose();
    yp.dispose();
  });
});
