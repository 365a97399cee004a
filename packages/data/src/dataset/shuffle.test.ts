import { memory, setRandomSeed, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { Dataset } from './dataset';

// Reference, written apart from the code under test: mulberry32 (32-bit Weyl state, two
// multiply-xorshift rounds, output / 2^32) and tf.data's shuffle buffer.
function refRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function refIterationSeed(seed: number, k: number): number {
  if (k === 0) return seed >>> 0;
  let h = (seed ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fill a buffer of `size`, then emit buffer[i] for uniform i and put the next input in slot i. */
function refShuffle(input: number[], size: number, seed: number): number[] {
  const rand = refRng(seed);
  const buf = input.slice(0, size);
  let next = size;
  const out: number[] = [];
  while (buf.length > 0) {
    const i = Math.floor(rand() * buf.length);
    out.push(buf[i]!);
    if (next < input.length) buf[i] = input[next++]!;
    else {
      buf[i] = buf[buf.length - 1]!;
      buf.pop();
    }
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function pass(ds: Dataset<number>): Promise<number[]> {
  return (await ds.toArrayValues()) as number[];
}

describe('Dataset.shuffle', () => {
  it('matches the reference buffer algorithm for full and partial buffers', async () => {
    for (const [n, size, seed] of [
      [10, 10, 1],
      [10, 3, 7],
      [25, 4, 123456],
      [6, 20, 99],
    ] as const) {
      const got = await pass(Dataset.range(n).shuffle(size, { seed }));
      expect(got).toEqual(refShuffle(range(n), size, seed));
      expect([...got].sort((a, b) => a - b)).toEqual(range(n));
    }
  });

  it('the same seed gives the same order; another seed another order', async () => {
    const a = await pass(Dataset.range(20).shuffle(20, { seed: 3 }));
    const b = await pass(Dataset.range(20).shuffle(20, { seed: 3 }));
    const c = await pass(Dataset.range(20).shuffle(20, { seed: 4 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(range(20));
  });

  it('reshuffles each pass by default, reproducibly from the seed; not with reshuffleEachIteration false', async () => {
    const ds = Dataset.range(12).shuffle(12, { seed: 5 });
    const p1 = await pass(ds);
    const p2 = await pass(ds);
    const p3 = await pass(ds);
    expect(p1).toEqual(refShuffle(range(12), 12, refIterationSeed(5, 0)));
    expect(p2).toEqual(refShuffle(range(12), 12, refIterationSeed(5, 1)));
    expect(p3).toEqual(refShuffle(range(12), 12, refIterationSeed(5, 2)));
    expect(p1).not.toEqual(p2);
    // A new dataset with the same seed replays the same sequence of orders.
    const again = Dataset.range(12).shuffle(12, { seed: 5 });
    expect(await pass(again)).toEqual(p1);
    expect(await pass(again)).toEqual(p2);
    const fixed = Dataset.range(12).shuffle(12, { seed: 5, reshuffleEachIteration: false });
    expect(await pass(fixed)).toEqual(p1);
    expect(await pass(fixed)).toEqual(p1);
    // repeat() runs new passes of the shuffle, so each repetition has its own order.
    expect(await pass(Dataset.range(12).shuffle(12, { seed: 5 }).repeat(2))).toEqual([...p1, ...p2]);
  });

  it('without a seed draws one from the global seed generator (setRandomSeed makes it reproducible)', async () => {
    setRandomSeed(11);
    const a = await pass(Dataset.range(15).shuffle(15));
    setRandomSeed(11);
    const b = await pass(Dataset.range(15).shuffle(15));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(range(15));
  });

  it('a buffer of 1 keeps the order; a buffer of B emits from the first B + k inputs at step k', async () => {
    expect(await pass(Dataset.range(8).shuffle(1, { seed: 2 }))).toEqual(range(8));
    for (let seed = 0; seed < 20; seed++) {
      const out = await pass(Dataset.range(30).shuffle(3, { seed }));
      for (let k = 0; k < out.length; k++) expect(out[k]).toBeLessThan(3 + k);
    }
  });

  it('with a full buffer the first element is uniform over the inputs (chi-square over 4000 seeds)', async () => {
    const n = 5;
    const counts = new Array(n).fill(0);
    const trials = 4000;
    for (let seed = 0; seed < trials; seed++) {
      const [first] = await pass(Dataset.range(n).shuffle(n, { seed }).take(1));
      counts[first!]++;
    }
    const e = trials / n;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // 4 degrees of freedom: P(chi2 > 18.47) = 0.001.
    expect(chi2).toBeLessThan(18.47);
  });

  it('shuffles tensor elements without leaks, also when a pass stops early', async () => {
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7]);
    const before = memory().numTensors;
    const ds = Dataset.fromTensorSlices(x).shuffle(4, { seed: 9 });
    expect(await ds.toArrayValues()).toEqual(refShuffle(range(8), 4, 9));
    expect(memory().numTensors).toBe(before);
    const firstTwo = await ds.take(2).toArray();
    expect(memory().numTensors).toBe(before + 2);
    for (const t of firstTwo) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad arguments naming the op', () => {
    expect(() => Dataset.range(3).shuffle(0)).toThrow(/Dataset\.shuffle: `bufferSize` must be a positive integer; got 0/);
    expect(() => Dataset.range(3).shuffle(2, { seed: 1.5 })).toThrow(/Dataset\.shuffle: `seed` must be an integer or null; got 1\.5/);
  });
});
