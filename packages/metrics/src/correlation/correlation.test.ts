import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { MeanMetricWrapper, metricFunctionByName } from '../reduction/mean-metric-wrapper';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult, resultOf } from '../test-helpers';
import { ConcordanceCorrelationCoefficient } from './concordance-correlation';
import { concordanceCorrelationCoefficient, pearsonCorrelationCoefficient } from './functions';
import { PearsonCorrelationCoefficient } from './pearson-correlation';

// ---- float64 references in plain JS ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 4294967296;
  };
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const popVar = (a: number[]) => {
  const m = mean(a);
  return mean(a.map((x) => (x - m) ** 2));
};
const popCov = (a: number[], b: number[]) => {
  const ma = mean(a);
  const mb = mean(b);
  return mean(a.map((x, i) => (x - ma) * (b[i]! - mb)));
};
/** Pearson's r with population moments. */
const refPearson = (a: number[], b: number[]) => popCov(a, b) / Math.sqrt(popVar(a) * popVar(b));
/** Lin's concordance with Keras' epsilon (1e-7) in the denominator. */
const refConcordance = (a: number[], b: number[]) => (2 * popCov(a, b)) / (popVar(a) + popVar(b) + (mean(a) - mean(b)) ** 2 + 1e-7);

function weightedMean(values: number[], weights: number[]): number {
  return values.reduce((s, v, i) => s + v * weights[i]!, 0) / weights.reduce((s, w) => s + w, 0);
}

const DOC_TRUE = [
  [0, 1, 0.5],
  [1, 1, 0.2],
];
const DOC_PRED = [
  [0.1, 0.9, 0.5],
  [1, 0.9, 0.2],
];

describe('PearsonCorrelationCoefficient', () => {
  it('Keras docstring example (per sample [1, 0.99339927], metric 0.9966996338993913)', () => {
    expectAllClose(pearsonCorrelationCoefficient(DOC_TRUE, DOC_PRED), [1, 0.99339927]);
    const m = new PearsonCorrelationCoefficient();
    m.updateState(DOC_TRUE, DOC_PRED);
    expectResult(m, 0.9966996338993913);
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it('matches a float64 reference over several weighted updates', () => {
    const r = rng(21);
    const m = new PearsonCorrelationCoefficient();
    const values: number[] = [];
    const weights: number[] = [];
    for (let step = 0; step < 3; step++) {
      const yt = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => r() * 4 - 2));
      const yp = yt.map((row) => row.map((v) => (step - 1) * v + (r() - 0.5) * 2));
      const w = Array.from({ length: 5 }, () => r() * 2);
      m.updateState(yt, yp, w);
      values.push(...yt.map((row, i) => refPearson(row, yp[i]!)));
      weights.push(...w);
    }
    expectResult(m, weightedMean(values, weights), { atol: 1e-5, rtol: 1e-4 });
    m.dispose();
  });

  it('other axes: axis 0 (per column) and a list of axes', () => {
    const yt = [[1, 2], [2, 0], [4, 1]];
    const yp = [[1.5, 1], [1, 0.5], [5, 3]];
    const cols = [0, 1].map((j) => refPearson(yt.map((r) => r[j]!), yp.map((r) => r[j]!)));
    expectAllClose(pearsonCorrelationCoefficient(yt, yp, { axis: 0 }), cols);
    const m = new PearsonCorrelationCoefficient({ axis: 0 });
    m.updateState(yt, yp);
    expectResult(m, mean(cols));
    m.dispose();
    const t3 = [[[1, 2], [3, 5]], [[0, 1], [1, 0]]];
    const p3 = [[[1, 3], [2, 6]], [[1, 1], [0, 0]]];
    const perSample = t3.map((s, i) => refPearson(s.flat(), p3[i]!.flat()));
    expectAllClose(pearsonCorrelationCoefficient(t3, p3, [1, 2]), perSample);
  });

  it('a constant slice gives NaN (no epsilon, as Keras)', () => {
    const out = pearsonCorrelationCoefficient([[1, 1, 1], [1, 2, 3]], [[0, 1, 2], [2, 4, 6]]);
    const v = Array.from(out.dataSync());
    out.dispose();
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBeCloseTo(1, 5);
  });

  it('config round trip, registration and the function wrapper', () => {
    const m = new PearsonCorrelationCoefficient({ axis: [1, 2], name: 'pcc' });
    expect(m.getConfig()).toEqual({ name: 'pcc', dtype: 'float32', axis: [1, 2] });
    const back = PearsonCorrelationCoefficient.fromConfig(m.getConfig());
    expect(back.getConfig()).toEqual(m.getConfig());
    expect(deserialize(serialize(m)).getConfig()).toEqual(m.getConfig());
    const byName = get('pearson_correlation_coefficient');
    expect(byName).toBeInstanceOf(PearsonCorrelationCoefficient);
    expect(byName.getConfig()).toEqual({ name: 'pearson_correlation_coefficient', dtype: 'float32', axis: -1 });
    expect(get('PearsonCorrelationCoefficient')).toBeInstanceOf(PearsonCorrelationCoefficient);
    expect(metricFunctionByName('pearson_correlation_coefficient')).toBe(pearsonCorrelationCoefficient);
    const wrapped = MeanMetricWrapper.fromConfig({ name: 'w', dtype: 'float32', fn: 'pearson_correlation_coefficient', axis: -1 });
    wrapped.updateState(DOC_TRUE, DOC_PRED);
    expectResult(wrapped, 0.9966996338993913);
    for (const x of [m, back, byName, wrapped]) x.dispose();
  });
});

describe('ConcordanceCorrelationCoefficient', () => {
  it('Keras docstring example (per sample [0.97560976, 0.98765432], metric 0.9816320385426076)', () => {
    expectAllClose(concordanceCorrelationCoefficient(DOC_TRUE, DOC_PRED), [0.97560976, 0.98765432]);
    const m = new ConcordanceCorrelationCoefficient();
    m.updateState(DOC_TRUE, DOC_PRED);
    expectResult(m, 0.9816320385426076);
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it('matches a float64 reference over several weighted updates, including shifted predictions', () => {
    const r = rng(8);
    const m = new ConcordanceCorrelationCoefficient();
    const values: number[] = [];
    const weights: number[] = [];
    for (let step = 0; step < 3; step++) {
      const yt = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => r() * 4 - 2));
      // A shift lowers concordance but not correlation.
      const yp = yt.map((row) => row.map((v) => v + step * 0.7 + (r() - 0.5)));
      const w = Array.from({ length: 4 }, () => [r() + 0.2]);
      m.updateState(yt, yp, w);
      values.push(...yt.map((row, i) => refConcordance(row, yp[i]!)));
      weights.push(...w.map((x) => x[0]!));
    }
    expectResult(m, weightedMean(values, weights), { atol: 1e-5, rtol: 1e-4 });
    m.dispose();
  });

  it('identical constant slices give 0 (epsilon guards 0/0); axis 0', () => {
    expectAllClose(concordanceCorrelationCoefficient([[2, 2, 2]], [[2, 2, 2]]), [0]);
    const yt = [[1, 2], [2, 0], [4, 1]];
    const yp = [[1.5, 1], [1, 0.5], [5, 3]];
    const cols = [0, 1].map((j) => refConcordance(yt.map((r) => r[j]!), yp.map((r) => r[j]!)));
    expectAllClose(concordanceCorrelationCoefficient(yt, yp, { axis: 0 }), cols);
  });

  it('config round trip and registration', () => {
    const m = new ConcordanceCorrelationCoefficient({ axis: 0 });
    expect(m.getConfig()).toEqual({ name: 'concordance_correlation_coefficient', dtype: 'float32', axis: 0 });
    expect(ConcordanceCorrelationCoefficient.fromConfig(m.getConfig()).getConfig()).toEqual(m.getConfig());
    expect(deserialize(serialize(m)).getConfig()).toEqual(m.getConfig());
    expect(get('concordance_correlation_coefficient')).toBeInstanceOf(ConcordanceCorrelationCoefficient);
    expect(get('ConcordanceCorrelationCoefficient')).toBeInstanceOf(ConcordanceCorrelationCoefficient);
    expect(metricFunctionByName('concordance_correlation_coefficient')).toBe(concordanceCorrelationCoefficient);
    m.dispose();
  });
});

describe('errors and memory', () => {
  it('bad axes throw errors naming the argument and the shape', () => {
    expect(() => new PearsonCorrelationCoefficient({ axis: 1.5 })).toThrow(/PearsonCorrelationCoefficient.*`axis`.*axis=1.5/);
    expect(() => new ConcordanceCorrelationCoefficient({ axis: [] })).toThrow(/ConcordanceCorrelationCoefficient.*axis=\[\]/);
    const m = new PearsonCorrelationCoefficient({ axis: 2 });
    const before = memory().numTensors;
    expect(() => m.updateState([[1, 2]], [[1, 3]])).toThrow(/axis 2 is out of range.*\(1, 2\)/);
    expect(memory().numTensors).toBe(before);
    m.dispose();
  });

  it('updateState leaks nothing and reads nothing back', () => {
    const pcc = new PearsonCorrelationCoefficient();
    const ccc = new ConcordanceCorrelationCoefficient();
    const yt = tensor([[0, 1, 0.5], [1, 1, 0.2]]);
    const yp = tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]);
    const sw = tensor([1, 3]);
    expectNoLeakNoRead(() => {
      pcc.updateState(yt, yp, sw);
      ccc.updateState(yt, yp);
    });
    expect(resultOf(pcc)).toBeCloseTo((1 + 3 * refPearson([1, 1, 0.2], [1, 0.9, 0.2])) / 4, 5);
    expect(resultOf(ccc)).toBeCloseTo(0.9816320385426076, 5);
    for (const x of [pcc, ccc]) x.dispose();
    for (const t of [yt, yp, sw]) t.dispose();
  });
});
