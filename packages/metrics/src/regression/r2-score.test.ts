import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { type R2ClassAggregation, R2Score } from './r2-score';

// ---- float64 reference in plain JS: textbook weighted R2 over everything seen ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Per-output R2 from all rows `y`, `p`, per-element weights `w` (centred form, not Keras' sums). */
function refRawScores(y: number[][], p: number[][], w: number[][]): { raw: number[]; ssTot: number[] } {
  const c = y[0]!.length;
  const raw: number[] = [];
  const ssTot: number[] = [];
  for (let j = 0; j < c; j++) {
    let sw = 0;
    let swy = 0;
    for (let i = 0; i < y.length; i++) {
      sw += w[i]![j]!;
      swy += w[i]![j]! * y[i]![j]!;
    }
    const mean = swy / sw;
    let tot = 0;
    let res = 0;
    for (let i = 0; i < y.length; i++) {
      tot += w[i]![j]! * (y[i]![j]! - mean) ** 2;
      res += w[i]![j]! * (y[i]![j]! - p[i]![j]!) ** 2;
    }
    const r = 1 - res / tot;
    raw.push(Number.isFinite(r) || Number.isNaN(r) ? r : 0);
    ssTot.push(tot);
  }
  return { raw, ssTot };
}

function refR2(y: number[][], p: number[][], w: number[][], agg: R2ClassAggregation, numRegressors = 0): number | number[] {
  const { raw, ssTot } = refRawScores(y, p, w);
  let score: number | number[];
  if (agg === 'uniform_average') score = raw.reduce((a, b) => a + b, 0) / raw.length;
  else if (agg === 'variance_weighted_average') {
    score = raw.reduce((a, r, j) => a + r * ssTot[j]!, 0) / ssTot.reduce((a, b) => a + b, 0);
  } else score = raw;
  if (numRegressors === 0) return score;
  const n = y.length * y[0]!.length;
  const adj = (s: number) => 1 - ((1 - s) * (n - 1)) / (n - numRegressors - 1);
  return Array.isArray(score) ? score.map(adj) : adj(score);
}

function randomMatrix(r: () => number, n: number, c: number, scale = 4): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: c }, () => (r() - 0.5) * scale));
}

function resultArray(m: R2Score): number[] {
  const t = m.result();
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe('R2Score', () => {
  it('Keras docstring example (0.57142854)', () => {
    const m = new R2Score();
    m.updateState([[1], [4], [3]], [[2], [4], [4]]);
    // SS_res = 2, SS_tot = 42/9.
    expectResult(m, 1 - 2 / (42 / 9));
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it.each<[R2ClassAggregation]>([['uniform_average'], ['variance_weighted_average'], [null]])(
    'matches a float64 reference over several weighted updates (class_aggregation=%s)',
    (agg) => {
      const r = rng(3);
      const m = new R2Score({ classAggregation: agg });
      const ys: number[][] = [];
      const ps: number[][] = [];
      const ws: number[][] = [];
      // Weights as (N,), (N, 1), (N, C), a scalar and none: every form Keras broadcasts.
      const forms = ['vector', 'column', 'full', 'scalar', 'none'] as const;
      for (const form of forms) {
        const n = 4;
        const y = randomMatrix(r, n, 3);
        const p = y.map((row) => row.map((v) => v + (r() - 0.5)));
        const rowW = Array.from({ length: n }, () => 0.5 + r());
        const fullW = randomMatrix(r, n, 3).map((row) => row.map((v) => Math.abs(v) + 0.1));
        let w: number[][];
        if (form === 'vector') {
          m.updateState(y, p, rowW);
          w = rowW.map((x) => [x, x, x]);
        } else if (form === 'column') {
          m.updateState(y, p, rowW.map((x) => [x]));
          w = rowW.map((x) => [x, x, x]);
        } else if (form === 'full') {
          m.updateState(y, p, fullW);
          w = fullW;
        } else if (form === 'scalar') {
          m.updateState(y, p, 2.5);
          w = y.map(() => [2.5, 2.5, 2.5]);
        } else {
          m.updateState(y, p);
          w = y.map(() => [1, 1, 1]);
        }
        ys.push(...y);
        ps.push(...p);
        ws.push(...w);
      }
      const expected = refR2(ys, ps, ws, agg);
      const got = resultArray(m);
      expect(got.length).toBe(agg == null ? 3 : 1);
      expectAllClose(got, Array.isArray(expected) ? expected : [expected], { atol: 2e-5, rtol: 1e-4 });
      m.dispose();
    },
  );

  it('adjusted R2 with num_regressors (n counts every value, batch x outputs)', () => {
    const r = rng(5);
    const y = randomMatrix(r, 6, 2);
    const p = y.map((row) => row.map((v) => v * 0.8 + 0.1));
    const ones = y.map(() => [1, 1]);
    const m = new R2Score({ numRegressors: 3, classAggregation: null });
    m.updateState(y.slice(0, 3), p.slice(0, 3));
    m.updateState(y.slice(3), p.slice(3));
    expectAllClose(resultArray(m), refR2(y, p, ones, null, 3) as number[], { atol: 2e-5, rtol: 1e-4 });
    m.dispose();
  });

  it('adjusted R2 falls back to the plain score, with Keras warnings, when n - 1 <= num_regressors', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const y = [[1], [4], [3]];
      const p = [[2], [4], [4]];
      const plain = 1 - 2 / (42 / 9);
      const tooMany = new R2Score({ numRegressors: 5 });
      tooMany.updateState(y, p);
      expectResult(tooMany, plain);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/More independent predictors than datapoints/));
      const exact = new R2Score({ numRegressors: 2 });
      exact.updateState(y, p);
      expectResult(exact, plain);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Division by zero in Adjusted R2 score/));
      const ok = new R2Score({ numRegressors: 1 });
      ok.updateState(y, p);
      // n = 3, p = 1: 1 - (1 - R2) * 2 / 1.
      expectResult(ok, 1 - (1 - plain) * 2);
      for (const x of [tooMany, exact, ok]) x.dispose();
    } finally {
      warn.mockRestore();
    }
  });

  it('constant targets: -inf scores become 0, 0/0 stays NaN (as Keras)', () => {
    const m = new R2Score({ classAggregation: null });
    // Output 0: constant target, residual error (-> -inf -> 0). Output 1: constant and exact (0/0 -> NaN).
    // Output 2: an ordinary score.
    m.updateState([[2, 5, 1], [2, 5, 3], [2, 5, 2]], [[1, 5, 1.5], [3, 5, 2.5], [2, 5, 2]]);
    const got = resultArray(m);
    expect(got[0]).toBe(0);
    expect(Number.isNaN(got[1])).toBe(true);
    expectAllClose(got[2]!, 1 - 0.5 / 2);
    m.dispose();
  });

  it('(N,) targets against (N, 1) predictions, reset, and the Keras variable layout', () => {
    const m = new R2Score();
    expect(m.variables.map((v) => v.name)).toEqual(['num_samples']);
    m.updateState([1, 4, 3], [[2], [4], [4]]);
    expectResult(m, 1 - 2 / (42 / 9));
    expect(m.variables.map((v) => v.name)).toEqual(['num_samples', 'squared_sum', 'sum', 'residual', 'count']);
    expect(m.variables.map((v) => v.path)).toEqual([
      'r2_score/num_samples',
      'r2_score/squared_sum',
      'r2_score/sum',
      'r2_score/residual',
      'r2_score/count',
    ]);
    expect(m.variables.slice(1).map((v) => v.shape)).toEqual([[1], [1], [1], [1]]);
    m.resetState();
    for (const v of m.variables) expect(Array.from(v.value.dataSync()).every((x) => x === 0)).toBe(true);
    m.updateState([[0], [1]], [[0], [1]]);
    expectResult(m, 1);
    m.dispose();
  });

  it('config round trip and registration', () => {
    const m = new R2Score({ classAggregation: null, numRegressors: 2, name: 'r2' });
    expect(m.getConfig()).toEqual({ name: 'r2', dtype: 'float32', class_aggregation: null, num_regressors: 2 });
    const back = R2Score.fromConfig(m.getConfig());
    expect(back.getConfig()).toEqual(m.getConfig());
    expect(back.classAggregation).toBeNull();
    expect(deserialize(serialize(m)).getConfig()).toEqual(m.getConfig());
    const byName = get('r2_score');
    expect(byName).toBeInstanceOf(R2Score);
    expect(byName.getConfig()).toEqual({ name: 'r2_score', dtype: 'float32', class_aggregation: 'uniform_average', num_regressors: 0 });
    expect(get('R2Score')).toBeInstanceOf(R2Score);
    for (const x of [m, back, byName]) x.dispose();
  });

  it('bad arguments and inputs throw errors naming them', () => {
    expect(() => new R2Score({ classAggregation: 'variance_weighted' as R2ClassAggregation })).toThrow(
      /class_aggregation.*Received: class_aggregation="variance_weighted"/,
    );
    expect(() => new R2Score({ numRegressors: -1 })).toThrow(/num_regressors.*num_regressors=-1/);
    const m = new R2Score();
    expect(() => m.result()).toThrow(/r2_score: result\(\) needs at least one updateState/);
    const before = memory().numTensors;
    expect(() => m.updateState([[[1]], [[2]]], [[[1]], [[2]]])).toThrow(/2D inputs.*yPred.shape=\(2, 1, 1\)/);
    expect(() => m.updateState([[1, 2], [3, 4]], [[1, 2, 3], [3, 4, 5]])).toThrow(/same shape.*\(2, 2\).*\(2, 3\)/);
    m.updateState([[1, 2], [3, 4]], [[1, 2], [3, 5]]);
    const afterBuild = memory().numTensors;
    expect(() => m.updateState([[1, 2, 3]], [[1, 2, 3]])).toThrow(/built for 2 outputs.*\(1, 3\)/);
    expect(() => m.updateState([[1, 2], [3, 4]], [[1, 2], [3, 4]], [1, 2, 3])).toThrow(/sampleWeight of shape \(3,\).*\(2, 2\)/);
    expect(memory().numTensors).toBe(afterBuild);
    expect(afterBuild - before).toBe(4);
    m.dispose();
  });
});

describe('memory', () => {
  it('updateState leaks nothing and reads nothing back (after the first call builds the state)', () => {
    const m = new R2Score({ classAggregation: 'variance_weighted_average' });
    const yt = tensor([[1, 2], [3, 5], [4, 4]]);
    const yp = tensor([[1.5, 2], [2.5, 4], [4, 5]]);
    const sw = tensor([1, 2, 0.5]);
    m.updateState(yt, yp, sw);
    expectNoLeakNoRead(() => {
      m.updateState(yt, yp, sw);
      m.updateState(yt, yp);
    });
    const before = memory().numTensors;
    m.result().dispose();
    expect(memory().numTensors).toBe(before);
    m.dispose();
    for (const t of [yt, yp, sw]) t.dispose();
  });
});
