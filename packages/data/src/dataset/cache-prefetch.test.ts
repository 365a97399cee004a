import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, ops, tensor } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from './dataset';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A dataset of `n` fresh tensors [i, 2i] that counts how often a pass starts and elements are made. */
function counted(n: number) {
  const stats = { passes: 0, made: 0 };
  const ds = Dataset.fromGenerator(function* () {
    stats.passes++;
    for (let i = 0; i < n; i++) {
      stats.made++;
      yield tensor([i, 2 * i]);
    }
  });
  return { ds, stats };
}

describe('Dataset.cache() in memory', () => {
  it('fills on the first full pass, then serves later passes without reading upstream', async () => {
    const { ds, stats } = counted(4);
    const cached = ds.map((t: Tensor) => ops.add(t, 1)).cache();
    const before = memory().numTensors;
    const expected = [
      [1, 1],
      [2, 3],
      [3, 5],
      [4, 7],
    ];
    expect(await cached.toArrayValues()).toEqual(expected);
    expect(await cached.toArrayValues()).toEqual(expected);
    expect(await cached.toArrayValues()).toEqual(expected);
    expect(stats.passes).toBe(1);
    expect(stats.made).toBe(4);
    // The cache holds host data, not tensors: nothing is left behind.
    expect(memory().numTensors).toBe(before);
  });

  it('a partial first pass leaves no cache: the next full pass reads upstream and fills it', async () => {
    const { ds, stats } = counted(5);
    const cached = ds.cache();
    expect(await cached.take(2).toArrayValues()).toEqual([
      [0, 0],
      [1, 2],
    ]);
    expect(stats.passes).toBe(1);
    const full = await cached.toArrayValues();
    expect(full.length).toBe(5);
    expect(stats.passes).toBe(2);
    expect(await cached.toArrayValues()).toEqual(full);
    expect(stats.passes).toBe(2);
  });

  it('each pass hands out new tensors (disposing one pass does not touch the next)', async () => {
    const { ds } = counted(2);
    const cached = ds.cache();
    const a = await cached.toArray();
    const b = await cached.toArray();
    expect(a[0]).not.toBe(b[0]);
    for (const t of a) t.dispose();
    expect(Array.from(b[1]!.dataSync())).toEqual([1, 2]);
    expect(b[1]!.dtype).toBe('float32');
    for (const t of b) t.dispose();
  });

  it('caching after a shuffle freezes the first order (as tf.data)', async () => {
    const cached = Dataset.range(10).shuffle(10, { seed: 1 }).cache();
    const first = await cached.toArrayValues();
    expect(await cached.toArrayValues()).toEqual(first);
  });

  it('keeps structure, dtypes, numbers and strings', async () => {
    const ds = Dataset.fromGenerator(() => [{ a: tensor([1, 2], [2], 'int32'), b: [tensor([true, false], [2], 'bool'), 3.5, 'x'] }]).cache();
    await ds.toArrayValues();
    const [e] = (await ds.toArray()) as { a: Tensor; b: [Tensor, number, string] }[];
    expect(e!.a.dtype).toBe('int32');
    expect(Array.from(e!.a.dataSync())).toEqual([1, 2]);
    expect(e!.b[0].dtype).toBe('bool');
    expect(Array.from(e!.b[0].dataSync())).toEqual([1, 0]);
    expect(e!.b[1]).toBe(3.5);
    expect(e!.b[2]).toBe('x');
    e!.a.dispose();
    e!.b[0].dispose();
  });
});

describe('Dataset.cache(filename) on disk', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-data-cache-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the file after a full pass and reads it on later passes, also from a new pipeline', async () => {
    const file = join(dir, 'a.cache');
    const { ds, stats } = counted(3);
    const cached = ds.map((t: Tensor) => [t, ops.sum(t)]).cache(file);
    const expected = [
      [[0, 0], 0],
      [[1, 2], 3],
      [[2, 4], 6],
    ];
    const before = memory().numTensors;
    expect(await cached.toArrayValues()).toEqual(expected);
    expect((await readFile(file, 'utf8')).trim().split('\n').length).toBe(3);
    expect(await cached.toArrayValues()).toEqual(expected);
    expect(stats.passes).toBe(1);
    // Another program (here: another pipeline) with the same file reads the cache, not its source.
    const other = Dataset.range(100).cache(file);
    expect(await other.toArrayValues()).toEqual(expected);
    expect(memory().numTensors).toBe(before);
    // No temporary file is left behind.
    expect((await readdir(dir)).filter((f) => f.startsWith('a.cache'))).toEqual(['a.cache']);
  });

  it('a partial first pass writes no cache file', async () => {
    const file = join(dir, 'b.cache');
    const cached = Dataset.range(10).cache(file);
    expect(await cached.take(3).toArrayValues()).toEqual([0, 1, 2]);
    expect((await readdir(dir)).filter((f) => f.startsWith('b.cache'))).toEqual([]);
    expect(await cached.toArrayValues()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await readdir(dir)).filter((f) => f.startsWith('b.cache'))).toEqual(['b.cache']);
  });

  it('round-trips int32, bool and float32 values exactly, and dicts with odd keys', async () => {
    const file = join(dir, 'c.cache');
    const make = () => [{ i: tensor([-7, 2 ** 30], [2], 'int32'), f: tensor([0.1, -1e-30, 3.4e38]), b: tensor([false, true], [2], 'bool'), $tensor: Number.NaN }];
    const cached = Dataset.fromGenerator(make).cache(file);
    await cached.toArrayValues();
    const [e] = (await Dataset.range(1).cache(file).toArray()) as unknown as { i: Tensor; f: Tensor; b: Tensor; $tensor: number }[];
    expect(e!.i.dtype).toBe('int32');
    expect(Array.from(e!.i.dataSync())).toEqual([-7, 2 ** 30]);
    expect(Array.from(e!.f.dataSync())).toEqual(Array.from(new Float32Array([0.1, -1e-30, 3.4e38])));
    expect(e!.b.dtype).toBe('bool');
    expect(Array.from(e!.b.dataSync())).toEqual([0, 1]);
    expect(e!.$tensor).toBeNaN();
    for (const t of [e!.i, e!.f, e!.b]) t.dispose();
  });

  it('rejects a non-string filename', () => {
    expect(() => Dataset.range(3).cache(5 as never)).toThrow(/Dataset\.cache: `filename` must be a string; got number/);
  });
});

describe('Dataset.prefetch', () => {
  it('pulls up to bufferSize elements ahead while the reader works', async () => {
    let produced = 0;
    const ds = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }).prefetch(2);
    const it = ds[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    await sleep(20);
    // Element 0 was read; 1 and 2 were produced meanwhile, and no more (the buffer holds 2).
    expect(produced).toBe(3);
    expect((await it.next()).value).toBe(1);
    await sleep(20);
    expect(produced).toBe(4);
    await it.return?.();
  });

  it('without prefetch nothing is produced ahead', async () => {
    let produced = 0;
    const ds = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    });
    const it = ds[Symbol.asyncIterator]();
    await it.next();
    await sleep(20);
    expect(produced).toBe(1);
    await it.return?.();
    expect(await ds.prefetch(0).toArrayValues()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps order, re-iterates, and disposes buffered tensors when a pass stops early', async () => {
    const x = tensor([1, 2, 3, 4, 5]);
    const ds = Dataset.fromTensorSlices(x).prefetch(3);
    expect(await ds.toArrayValues()).toEqual([1, 2, 3, 4, 5]);
    expect(await ds.toArrayValues()).toEqual([1, 2, 3, 4, 5]);
    const before = memory().numTensors;
    const [first] = await ds.take(1).toArray();
    expect(memory().numTensors).toBe(before + 1);
    first!.dispose();
    x.dispose();
  });

  it('rejects a bad bufferSize', () => {
    expect(() => Dataset.range(3).prefetch(-2)).toThrow(/Dataset\.prefetch: `bufferSize` must be a non-negative integer or AUTOTUNE \(-1\); got -2/);
  });
});

describe('ownership rules', () => {
  it("map disposes its input element after fn returns, unless fn returned it", async () => {
    const x = tensor([1, 2]);
    const seen: Tensor[] = [];
    await Dataset.fromTensorSlices(x)
      .map((t: Tensor) => {
        seen.push(t);
        return ops.multiply(t, 3);
      })
      .toArrayValues();
    expect(seen.every((t) => t.isDisposed)).toBe(true);
    const kept: Tensor[] = [];
    const out = await Dataset.fromTensorSlices(x)
      .map((t: Tensor) => {
        kept.push(t);
        return t;
      })
      .toArray();
    expect(out[0]).toBe(kept[0]);
    expect(kept.every((t) => !t.isDisposed)).toBe(true);
    for (const t of out) t.dispose();
    x.dispose();
  });

  it('a sync map fn runs in tidy (its intermediates are freed); batch disposes what it stacked', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const before = memory().numTensors;
    const ds = Dataset.fromTensorSlices(x)
      .map((t: Tensor) => ops.divide(ops.subtract(t, ops.mean(t)), 2))
      .batch(2);
    const out = await ds.toArray();
    // Only the two batches remain.
    expect(memory().numTensors).toBe(before + 2);
    expect(Array.from((out[0] as Tensor).dataSync())).toEqual([-0.25, 0.25, -0.25, 0.25]);
    for (const t of out) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('a full pipeline pass leaves no tensors behind; early exits free buffers everywhere', async () => {
    const xs = tensor(Array.from({ length: 40 }, (_, i) => [i, -i]));
    const ys = tensor(Array.from({ length: 40 }, (_, i) => i % 3));
    const before = memory().numTensors;
    const pipeline = Dataset.fromTensorSlices([xs, ys])
      .map(([x, y]: Tensor[]) => [ops.multiply(x!, 2), y!], { numParallelCalls: 4 })
      .shuffle(16, { seed: 3 })
      .filter(([, y]: Tensor[]) => ops.notEqual(y!, 1))
      .batch(5)
      .unbatch()
      .window(3, { shift: 2 })
      .flatMap((w) => Dataset.fromGenerator(() => w))
      .paddedBatch(4)
      .prefetch(3)
      .cache()
      .repeat(2);
    await pipeline.toArrayValues();
    expect(memory().numTensors).toBe(before);
    await pipeline.take(3).toArrayValues();
    await pipeline.skip(2).take(1).toArrayValues();
    expect(memory().numTensors).toBe(before);
    xs.dispose();
    ys.dispose();
  });
});
