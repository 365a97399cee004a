import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { MeanMetricWrapper, metricFunctionByName } from '../reduction/mean-metric-wrapper';
import { deserialize, get, serialize } from '../registry';
import { expectNoLeakNoRead, expectResult, resultOf } from '../test-helpers';
import { SparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy';
import { TopKCategoricalAccuracy } from './top-k-categorical-accuracy';
import { sparseTopKCategoricalAccuracy, topKCategoricalAccuracy } from './top-k-functions';

// ---- float64 references in plain JS ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** TF's documented in_top_k: finite target score, fewer than k strictly higher scores. */
function refInTopK(target: number, row: number[], k: number): number {
  if (!Number.isInteger(target) || target < 0 || target >= row.length) return 0;
  const s = row[target]!;
  if (!Number.isFinite(s)) return 0;
  const higher = row.filter((v) => v > s).length;
  return higher < k ? 1 : 0;
}

function refArgmax(row: number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

function refWeightedMean(values: number[], weights: number[]): number {
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    num += v * weights[i]!;
    den += weights[i]!;
  });
  return num / den;
}

/** Scores on a coarse grid (multiples of 1/8, exact in float32) so that ties are common. */
function randomScores(r: () => number, n: number, c: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: c }, () => Math.floor(r() * 6) / 8));
}

const DOC_PRED = [
  [0.1, 0.9, 0.8],
  [0.05, 0.95, 0],
];

describe('TopKCategoricalAccuracy', () => {
  it('Keras docstring example (k=1: 0.5, weighted 0.3)', () => {
    const m = new TopKCategoricalAccuracy({ k: 1 });
    m.updateState([[0, 0, 1], [0, 1, 0]], DOC_PRED);
    expectResult(m, 0.5);
    m.resetState();
    m.updateState([[0, 0, 1], [0, 1, 0]], DOC_PRED, [0.7, 0.3]);
    expectResult(m, 0.3);
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it('matches a float64 reference over several weighted updates with ties (k=2)', () => {
    const r = rng(7);
    const m = new TopKCategoricalAccuracy({ k: 2 });
    const hits: number[] = [];
    const weights: number[] = [];
    for (let step = 0; step < 4; step++) {
      const n = 5 + step;
      const scores = randomScores(r, n, 6);
      const labels = Array.from({ length: n }, () => Math.floor(r() * 6));
      const oneHot = labels.map((l) => Array.from({ length: 6 }, (_, j) => (j === l ? 1 : 0)));
      const w = Array.from({ length: n }, () => Math.round(r() * 4) / 2);
      m.updateState(oneHot, scores, w);
      hits.push(...labels.map((l, i) => refInTopK(l, scores[i]!, 2)));
      weights.push(...w);
    }
    expect(hits.some((h) => h === 0) && hits.some((h) => h === 1)).toBe(true);
    expectResult(m, refWeightedMean(hits, weights));
    m.dispose();
  });

  it('default k is 5; ties at the k-th place count as hits', () => {
    const m = new TopKCategoricalAccuracy();
    expect(m.k).toBe(5);
    // Label 5 has the lowest of 6 scores: outside the top 5.
    m.updateState([[0, 0, 0, 0, 0, 1]], [[0.6, 0.5, 0.4, 0.3, 0.2, 0.1]]);
    expectResult(m, 0);
    m.dispose();
    // Three classes share the top score: each is in the top 1.
    expectAllClose(topKCategoricalAccuracy([[0, 0, 1, 0], [0, 0, 0, 1]], [[0.5, 0.5, 0.5, 0.1], [0.5, 0.5, 0.5, 0.1]], { k: 1 }), [1, 0]);
    expectAllClose(topKCategoricalAccuracy([[0, 0, 0, 1]], [[0.5, 0.5, 0.5, 0.1]], 3), [0]);
    expectAllClose(topKCategoricalAccuracy([[0, 0, 0, 1]], [[0.5, 0.5, 0.5, 0.1]], 4), [1]);
  });

  it('works per time step (rank 3) and returns the label shape', () => {
    const yt = [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 1]]];
    const yp = [[[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]], [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]];
    const out = topKCategoricalAccuracy(yt, yp, { k: 2 });
    expect(out.shape).toEqual([2, 2]);
    const expected = yt.map((rowT, i) => rowT.map((t, j) => refInTopK(refArgmax(t), yp[i]![j]!, 2)));
    expectAllClose(out, expected);
    out.dispose();
    const m = new TopKCategoricalAccuracy({ k: 2 });
    m.updateState(yt, yp);
    expectResult(m, expected.flat().reduce((a, b) => a + b, 0) / 4);
    m.dispose();
  });

  it('config round trip, registration and the function wrapper', () => {
    const m = new TopKCategoricalAccuracy({ k: 3, name: 'top3' });
    expect(m.getConfig()).toEqual({ name: 'top3', dtype: 'float32', k: 3 });
    const back = TopKCategoricalAccuracy.fromConfig(m.getConfig());
    expect(back.getConfig()).toEqual(m.getConfig());
    const viaSerialize = deserialize(serialize(m));
    expect(viaSerialize).toBeInstanceOf(TopKCategoricalAccuracy);
    expect(viaSerialize.getConfig()).toEqual(m.getConfig());
    const byName = get('top_k_categorical_accuracy');
    expect(byName).toBeInstanceOf(TopKCategoricalAccuracy);
    expect(byName.getConfig()).toEqual({ name: 'top_k_categorical_accuracy', dtype: 'float32', k: 5 });
    expect(get('TopKCategoricalAccuracy')).toBeInstanceOf(TopKCategoricalAccuracy);
    expect(metricFunctionByName('top_k_categorical_accuracy')).toBe(topKCategoricalAccuracy);
    const wrapped = MeanMetricWrapper.fromConfig({ name: 'w', dtype: 'float32', fn: 'top_k_categorical_accuracy', k: 1 });
    wrapped.updateState([[0, 0, 1], [0, 1, 0]], DOC_PRED);
    expectResult(wrapped, 0.5);
    for (const x of [m, back, viaSerialize, byName, wrapped]) x.dispose();
  });

  it('bad k or shapes throw errors naming the argument and shapes', () => {
    expect(() => new TopKCategoricalAccuracy({ k: -1 })).toThrow(/TopKCategoricalAccuracy.*`k`.*k=-1/);
    expect(() => new TopKCategoricalAccuracy({ k: 1.5 })).toThrow(/k=1.5/);
    const m = new TopKCategoricalAccuracy();
    const before = memory().numTensors;
    expect(() => m.updateState([1, 0], [0.2, 0.8])).toThrow(/rank >= 2.*yPred.shape=\(2,\)/);
    expect(() => m.updateState([[1, 0], [0, 1], [1, 0]], [[0.2, 0.8], [0.4, 0.6]])).toThrow(/yTrue.shape=\(3, 2\).*yPred.shape=\(2, 2\)/);
    expect(memory().numTensors).toBe(before);
    expectResult(m, 0);
    m.dispose();
  });
});

describe('SparseTopKCategoricalAccuracy', () => {
  it('Keras docstring example (k=1: 0.5, weighted 0.3)', () => {
    const m = new SparseTopKCategoricalAccuracy({ k: 1 });
    m.updateState([2, 1], DOC_PRED);
    expectResult(m, 0.5);
    m.resetState();
    m.updateState([2, 1], DOC_PRED, [0.7, 0.3]);
    expectResult(m, 0.3);
    expect(m.direction).toBe('up');
    m.dispose();
  });

  it('labels: int32, float (cast to int32 by truncation), (N, 1)', () => {
    expectAllClose(sparseTopKCategoricalAccuracy(tensor([2, 1], undefined, 'int32'), DOC_PRED, { k: 1 }), [0, 1]);
    // 1.9 becomes class 1 (a hit), 2.0 stays class 2 (a miss), as Keras' int32 cast does.
    expectAllClose(sparseTopKCategoricalAccuracy([2.0, 1.9], DOC_PRED, { k: 1 }), [0, 1]);
    const col = sparseTopKCategoricalAccuracy([[2], [1]], DOC_PRED, { k: 2 });
    expect(col.shape).toEqual([2, 1]);
    expectAllClose(col, [[1], [1]]);
    col.dispose();
    const m = new SparseTopKCategoricalAccuracy({ k: 1 });
    m.updateState([[2], [1]], DOC_PRED);
    expectResult(m, 0.5);
    m.dispose();
  });

  it('out-of-range labels and non-finite target scores are misses (TF in_top_k)', () => {
    const preds = [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]];
    expectAllClose(sparseTopKCategoricalAccuracy([-1, 3], preds, { k: 3 }), [0, 0]);
    const nonFinite = [[Number.NaN, 0.2, 0.3], [Number.POSITIVE_INFINITY, 0.2, 0.3], [Number.NEGATIVE_INFINITY, 0.2, 0.3], [0.1, Number.NaN, 0.3]];
    // A NaN elsewhere in the row is never "higher" than the target.
    expectAllClose(sparseTopKCategoricalAccuracy([0, 0, 0, 2], nonFinite, { k: 3 }), [0, 0, 0, 1]);
    expectAllClose(sparseTopKCategoricalAccuracy([0, 2], preds, { k: 0 }), [0, 0]);
  });

  it('matches a float64 reference over several weighted updates with ties (k=3, rank-2 weights)', () => {
    const r = rng(11);
    const m = new SparseTopKCategoricalAccuracy({ k: 3 });
    const hits: number[] = [];
    const weights: number[] = [];
    for (let step = 0; step < 3; step++) {
      const n = 6;
      const scores = randomScores(r, n, 7);
      const labels = Array.from({ length: n }, () => Math.floor(r() * 7));
      const w = Array.from({ length: n }, () => Math.round(r() * 3));
      m.updateState(
        labels.map((l) => [l]),
        scores,
        w.map((x) => [x]),
      );
      hits.push(...labels.map((l, i) => refInTopK(l, scores[i]!, 3)));
      weights.push(...w);
    }
    expect(hits.some((h) => h === 0) && hits.some((h) => h === 1)).toBe(true);
    expectResult(m, refWeightedMean(hits, weights));
    m.dispose();
  });

  it('fromSortedIds: a hit is the label among the first k ids', () => {
    const ids = tensor([[2, 0, 1], [5, 9, 3], [1, 1, 2]], undefined, 'int32');
    expectAllClose(sparseTopKCategoricalAccuracy([0, 3, 1], ids, { k: 2, fromSortedIds: true }), [1, 0, 1]);
    expectAllClose(sparseTopKCategoricalAccuracy([0, 3, 2], ids, { k: 3, fromSortedIds: true }), [1, 1, 1]);
    // k beyond the number of ids uses them all (Keras slices y_pred[:, :k]).
    expectAllClose(sparseTopKCategoricalAccuracy([1, 3, 7], ids, { k: 10, fromSortedIds: true }), [1, 1, 0]);
    // Float ids, float labels.
    expectAllClose(sparseTopKCategoricalAccuracy([[7], [4]], [[7, 4], [1, 4]], { k: 1, fromSortedIds: true }), [[1], [0]]);
    const m = new SparseTopKCategoricalAccuracy({ k: 2, fromSortedIds: true });
    // Only the last row hits, and its repeated id counts once: 1/3 (2/3 if counted twice).
    m.updateState([1, 3, 1], ids);
    expectResult(m, 1 / 3);
    m.updateState([5, 1], [[5, 1], [1, 5]], [1, 2]);
    expectResult(m, (1 + 1 + 2) / 6);
    ids.dispose();
    m.dispose();
  });

  it('config round trip (from_sorted_ids only when set, as Keras) and registration', () => {
    const plain = new SparseTopKCategoricalAccuracy({ k: 2 });
    expect(plain.getConfig()).toEqual({ name: 'sparse_top_k_categorical_accuracy', dtype: 'float32', k: 2 });
    const sorted = new SparseTopKCategoricalAccuracy({ k: 4, fromSortedIds: true });
    expect(sorted.getConfig()).toEqual({ name: 'sparse_top_k_categorical_accuracy', dtype: 'float32', k: 4, from_sorted_ids: true });
    const back = SparseTopKCategoricalAccuracy.fromConfig(sorted.getConfig());
    expect(back.fromSortedIds).toBe(true);
    expect(back.getConfig()).toEqual(sorted.getConfig());
    expect(SparseTopKCategoricalAccuracy.fromConfig(plain.getConfig()).getConfig()).toEqual(plain.getConfig());
    const byName = get('sparse_top_k_categorical_accuracy');
    expect(byName).toBeInstanceOf(SparseTopKCategoricalAccuracy);
    expect((byName as SparseTopKCategoricalAccuracy).k).toBe(5);
    expect(deserialize(serialize(sorted)).getConfig()).toEqual(sorted.getConfig());
    expect(metricFunctionByName('sparse_top_k_categorical_accuracy')).toBe(sparseTopKCategoricalAccuracy);
    expect(() => new SparseTopKCategoricalAccuracy({ k: -2 })).toThrow(/SparseTopKCategoricalAccuracy.*k=-2/);
    for (const x of [plain, sorted, back, byName]) x.dispose();
  });
});

describe('memory', () => {
  it('updateState of the top-k accuracies leaks nothing and reads nothing back', () => {
    const top = new TopKCategoricalAccuracy({ k: 2 });
    const sparse = new SparseTopKCategoricalAccuracy({ k: 2 });
    const sorted = new SparseTopKCategoricalAccuracy({ k: 2, fromSortedIds: true });
    const yt = tensor([[0, 1, 0], [1, 0, 0]]);
    const labels = tensor([1, 0]);
    const yp = tensor([[0.2, 0.5, 0.3], [0.1, 0.4, 0.5]]);
    const ids = tensor([[1, 2, 0], [2, 1, 0]], undefined, 'int32');
    const sw = tensor([1, 2]);
    expectNoLeakNoRead(() => {
      top.updateState(yt, yp, sw);
      sparse.updateState(labels, yp, sw);
      sorted.updateState(labels, ids);
    });
    expect(resultOf(top)).toBeCloseTo(1 / 3, 6);
    expect(resultOf(sparse)).toBeCloseTo(1 / 3, 6);
    expect(resultOf(sorted)).toBeCloseTo(1 / 2, 6);
    for (const x of [top, sparse, sorted]) x.dispose();
    for (const t of [yt, labels, yp, ids, sw]) t.dispose();
  });
});
