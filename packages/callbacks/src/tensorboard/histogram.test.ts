import { ValueError } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKET_COUNT, histogramBuckets } from './histogram';

/**
 * TensorBoard's summary_v2 `_buckets`, restated in plain float64 JS: returns rows
 * [left, right, count].
 */
function reference(data: number[], k: number): number[][] {
  if (data.length === 0) return Array.from({ length: k }, () => [0, 0, 0]);
  const min = Math.min(...data);
  const max = Math.max(...data);
  if (max - min === 0) return Array.from({ length: k }, (_, i) => [max, max, i === k - 1 ? data.length : 0]);
  const width = (max - min) / k;
  const counts = new Array<number>(k).fill(0);
  for (const x of data) counts[Math.min(Math.floor((x - min) / width), k - 1)]! += 1;
  // tf.linspace(min, max, k + 1): start + delta * i in between, then the last edge forced to max.
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === 0 ? min : i === k ? max : min + width * i));
  return counts.map((c, i) => [edges[i]!, edges[i + 1]!, c]);
}

function rows(buckets: Float64Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < buckets.length; i += 3) out.push([buckets[i]!, buckets[i + 1]!, buckets[i + 2]!]);
  return out;
}

describe('histogramBuckets', () => {
  it('splits [min, max] into equal buckets, the maximum in the last one (hand-computed)', () => {
    expect(rows(histogramBuckets([0, 1, 2, 3], 3))).toEqual([
      [0, 1, 1],
      [1, 2, 1],
      [2, 3, 2],
    ]);
    // width 0.5: -1 -> 0, -0.5 -> 1, 0 -> 2, 0.25 -> 2 (floor 2.5), 1 -> 4 clamped to 3.
    expect(rows(histogramBuckets([-1, -0.5, 0, 0.25, 1], 4))).toEqual([
      [-1, -0.5, 1],
      [-0.5, 0, 1],
      [0, 0.5, 2],
      [0.5, 1, 1],
    ]);
  });

  it('uses 30 buckets by default', () => {
    expect(DEFAULT_BUCKET_COUNT).toBe(30);
    const b = histogramBuckets([0, 30]);
    expect(b.length).toBe(90);
    expect(rows(b)[0]).toEqual([0, 1, 1]);
    expect(rows(b)[29]).toEqual([29, 30, 1]);
  });

  it('puts every value in the last bucket when all are equal', () => {
    const r = rows(histogramBuckets([2.5, 2.5, 2.5], 5));
    expect(r).toEqual([
      [2.5, 2.5, 0],
      [2.5, 2.5, 0],
      [2.5, 2.5, 0],
      [2.5, 2.5, 0],
      [2.5, 2.5, 3],
    ]);
    expect(rows(histogramBuckets([7], 1))).toEqual([[7, 7, 1]]);
  });

  it('gives zero rows for no data', () => {
    expect(rows(histogramBuckets([], 3))).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('matches the float64 reference on float32 data, counts summing to the size', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (const [n, k] of [
      [1000, 30],
      [37, 30],
      [500, 7],
      [64, 1],
    ] as const) {
      const data = Float32Array.from({ length: n }, () => (rand() - 0.3) * 4);
      const got = rows(histogramBuckets(data, k));
      expect(got).toEqual(reference(Array.from(data), k));
      expect(got.reduce((s, r) => s + r[2]!, 0)).toBe(n);
      for (let i = 1; i < k; i++) expect(got[i]![0]).toBe(got[i - 1]![1]);
    }
  });

  it('rejects a bucket count that is not a positive integer', () => {
    expect(() => histogramBuckets([1], 0)).toThrow(ValueError);
    expect(() => histogramBuckets([1], 2.5)).toThrow(/bucketCount must be a positive integer, got 2.5/);
  });
});
