import { type Tensor, memory, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../dataset/dataset';
import { rescaleSplitSizes, splitDataset } from './split-dataset';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function values(ds: Dataset<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const el of ds) {
    if (Array.isArray(el)) {
      out.push((el as Tensor[]).map((t) => t.arraySync()));
      for (const t of el as Tensor[]) t.dispose();
    } else {
      out.push((el as Tensor).arraySync());
      (el as Tensor).dispose();
    }
  }
  return out;
}

describe('rescaleSplitSizes', () => {
  it('fractions round half to even, counts stay, the other side is the complement', () => {
    expect(rescaleSplitSizes(0.8, null, 1000)).toEqual([800, 200]);
    expect(rescaleSplitSizes(0.25, null, 10)).toEqual([2, 8]); // round(2.5) = 2
    expect(rescaleSplitSizes(null, 0.35, 10)).toEqual([6, 4]); // round(3.5) = 4
    expect(rescaleSplitSizes(3, null, 10)).toEqual([3, 7]);
    expect(rescaleSplitSizes(3, 0.5, 10)).toEqual([3, 5]);
  });
  it('rejects what Keras rejects, naming the argument', () => {
    expect(() => rescaleSplitSizes(0, 0, 10)).toThrow(/both `left_size` and `right_size` are zero/);
    expect(() => rescaleSplitSizes(10, null, 10)).toThrow(/`left_size` should be either a positive integer smaller than 10.*left_size=10/);
    expect(() => rescaleSplitSizes(null, 1.5, 10)).toThrow(/right_size=1.5/);
    expect(() => rescaleSplitSizes(0.6, 0.6, 10)).toThrow(/greater than 1/);
    expect(() => rescaleSplitSizes(6, 5, 10)).toThrow(/left_size \+ right_size = 11/);
    expect(() => rescaleSplitSizes(0.01, null, 10)).toThrow(/left side dataset split will be empty/);
  });
});

describe('splitDataset', () => {
  it('splits an array into the first left and the last right samples', async () => {
    const [l, r] = await splitDataset(range(10), { leftSize: 3, rightSize: 2 });
    expect(l.cardinality).toBe(3);
    expect(r.cardinality).toBe(2);
    expect(await values(l)).toEqual([0, 1, 2]);
    expect(await values(r)).toEqual([8, 9]);
  });
  it('shuffles with Python random.seed(seed) order', async () => {
    // random.seed(1); random.shuffle(list(range(10))) -> [6, 8, 9, 7, 5, 3, 0, 4, 1, 2]
    const [l, r] = await splitDataset(range(10), { leftSize: 0.7, shuffle: true, seed: 1 });
    expect(await values(l)).toEqual([6, 8, 9, 7, 5, 3, 0]);
    expect(await values(r)).toEqual([4, 1, 2]);
  });
  it('a list of tensors splits rows together', async () => {
    const x = tensor([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const y = tensor([10, 11, 12, 13], [4], 'int32');
    const [l, r] = await splitDataset([x, y], { rightSize: 0.25, shuffle: true, seed: 7 });
    // random.seed(7); random.shuffle(list(range(4)))
    const lv = (await values(l)) as [number[], number][];
    const rv = (await values(r)) as [number[], number][];
    expect(lv.length).toBe(3);
    expect(rv.length).toBe(1);
    for (const [row, label] of [...lv, ...rv]) expect(label).toBe(10 + row[0]!);
    expect([...lv, ...rv].map(([row]) => row[0]).sort()).toEqual([0, 1, 2, 3]);
    x.dispose();
    y.dispose();
  });
  it('splits a Dataset, keeping the element structure, re-iterable and leak-free', async () => {
    const before = memory().numTensors;
    const src = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 5; i++) yield { a: tensor([i, i]), b: i };
    });
    const [l, r] = await splitDataset(src, { leftSize: 2 });
    expect(memory().numTensors).toBe(before);
    for (let pass = 0; pass < 2; pass++) {
      const got: unknown[] = [];
      for await (const el of r) {
        const e = el as { a: Tensor; b: number };
        got.push([e.a.arraySync(), e.b]);
        e.a.dispose();
      }
      expect(got).toEqual([
        [[2, 2], 2],
        [[3, 3], 3],
        [[4, 4], 4],
      ]);
    }
    expect(l.cardinality).toBe(2);
    expect(memory().numTensors).toBe(before);
  });
  it('errors on missing sizes, empty input and columns of different lengths', async () => {
    await expect(splitDataset(range(4))).rejects.toThrow(/at least one of the `left_size` or `right_size`/);
    await expect(splitDataset([], { leftSize: 1 })).rejects.toThrow(/empty dataset/);
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 2]);
    await expect(splitDataset([a, b], { leftSize: 1 })).rejects.toThrow(/different lengths. Mismatch found at index 1/);
    a.dispose();
    b.dispose();
  });
});
