import { type Tensor, ValueError, memory, ops, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { AUTOTUNE, Dataset, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from './dataset';

/** One pass as plain values (tensors read, then disposed). */
async function values<T>(ds: Dataset<T>): Promise<unknown[]> {
  return ds.toArrayValues();
}

/** Reads one pass and checks it leaves no tensor behind. */
async function leakFree(ds: Dataset<unknown>): Promise<unknown[]> {
  const before = memory().numTensors;
  const out = await values(ds);
  expect(memory().numTensors).toBe(before);
  return out;
}

describe('Dataset.fromTensorSlices', () => {
  it('slices a tensor along axis 0', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ds = Dataset.fromTensorSlices(x);
    expect(ds.cardinality).toBe(3);
    expect(await leakFree(ds)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const first = (await ds.take(1).toArray())[0]!;
    expect(first.shape).toEqual([2]);
    expect(first.dtype).toBe('float32');
    first.dispose();
    x.dispose();
  });

  it('slices a nested JS array, a typed array and a rank-1 tensor into elements of rank one less', async () => {
    expect(await leakFree(Dataset.fromTensorSlices([[1, 2], [3, 4]]))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await leakFree(Dataset.fromTensorSlices(new Int32Array([7, 8, 9])))).toEqual([7, 8, 9]);
    const [e] = await Dataset.fromTensorSlices(new Int32Array([7])).toArray();
    expect(e!.dtype).toBe('int32');
    expect(e!.shape).toEqual([]);
    e!.dispose();
    expect(await leakFree(Dataset.fromTensorSlices([true, false]))).toEqual([true, false]);
  });

  it('keeps tuple and dict structure, slicing every component', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = tensor([10, 20, 30]);
    expect(await leakFree(Dataset.fromTensorSlices([x, y]))).toEqual([
      [[1, 2], 10],
      [[3, 4], 20],
      [[5, 6], 30],
    ]);
    expect(await leakFree(Dataset.fromTensorSlices({ a: y, b: [x, new Float32Array([0.5, 1.5, 2.5])] }))).toEqual([
      { a: 10, b: [[1, 2], 0.5] },
      { a: 20, b: [[3, 4], 1.5] },
      { a: 30, b: [[5, 6], 2.5] },
    ]);
    // A ragged top-level array is a tuple of components.
    expect(await leakFree(Dataset.fromTensorSlices([[[1, 2], [3, 4]], [5, 6]]))).toEqual([
      [[1, 2], 5],
      [[3, 4], 6],
    ]);
    x.dispose();
    y.dispose();
  });

  it('re-iterates with the same elements and never disposes the source tensor', async () => {
    const x = tensor([1, 2, 3]);
    const ds = Dataset.fromTensorSlices(x);
    expect(await values(ds)).toEqual([1, 2, 3]);
    expect(await values(ds)).toEqual([1, 2, 3]);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('rejects components of different lengths, scalars and unsupported values', () => {
    const x = tensor([1, 2, 3]);
    const y = tensor([1, 2]);
    expect(() => Dataset.fromTensorSlices([x, y])).toThrow(ValueError);
    expect(() => Dataset.fromTensorSlices([x, y])).toThrow(/fromTensorSlices.*\[0\] has 3 but component \[1\] has 2/);
    expect(() => Dataset.fromTensorSlices(tensor(1))).toThrow(/fromTensorSlices: component \(input\) is a scalar tensor/);
    expect(() => Dataset.fromTensorSlices({ a: 'text' } as never)).toThrow(/fromTensorSlices: component a must be a tensor/);
    expect(() => Dataset.fromTensorSlices([])).toThrow(/fromTensorSlices/);
    x.dispose();
    y.dispose();
  });
});

describe('Dataset.fromGenerator / range / zip / concatenate', () => {
  it('fromGenerator calls the factory once per pass and accepts iterables, iterators and async generators', async () => {
    let calls = 0;
    const ds = Dataset.fromGenerator(function* () {
      calls++;
      yield 1;
      yield 2;
    });
    expect(ds.cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(await values(ds)).toEqual([1, 2]);
    expect(await values(ds)).toEqual([1, 2]);
    expect(calls).toBe(2);
    expect(await values(Dataset.fromGenerator(() => [3, 4], { cardinality: 2 }))).toEqual([3, 4]);
    expect(Dataset.fromGenerator(() => [3, 4], { cardinality: 2 }).cardinality).toBe(2);
    expect(
      await values(
        Dataset.fromGenerator(async function* () {
          yield 'a';
          yield 'b';
        }),
      ),
    ).toEqual(['a', 'b']);
    let k = 0;
    expect(await values(Dataset.fromGenerator(() => ({ next: () => (k < 2 ? { done: false, value: k++ } : { done: true, value: undefined }) })))).toEqual([0, 1]);
  });

  it('fromGenerator runs the generator finally block when a pass stops early', async () => {
    let closed = 0;
    const ds = Dataset.fromGenerator(function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed++;
      }
    });
    expect(await values(ds.take(3))).toEqual([0, 1, 2]);
    expect(closed).toBe(1);
  });

  it('fromGenerator rejects bad arguments', () => {
    expect(() => Dataset.fromGenerator(42 as never)).toThrow(/fromGenerator: `make` must be a function/);
    expect(() => Dataset.fromGenerator(() => [], { cardinality: -3 })).toThrow(/fromGenerator: `cardinality` must be .* got -3/);
    return expect(values(Dataset.fromGenerator(() => 5 as never))).rejects.toThrow(/fromGenerator: the generator factory must return an iterable/);
  });

  it('range follows Python range, with cardinality ceil((stop - start) / step)', async () => {
    expect(await values(Dataset.range(5))).toEqual([0, 1, 2, 3, 4]);
    expect(await values(Dataset.range(2, 5))).toEqual([2, 3, 4]);
    expect(await values(Dataset.range(1, 8, 3))).toEqual([1, 4, 7]);
    expect(await values(Dataset.range(5, 1, -2))).toEqual([5, 3]);
    expect(await values(Dataset.range(5, 1))).toEqual([]);
    expect(Dataset.range(1, 8, 3).cardinality).toBe(3);
    expect(Dataset.range(5, 1, -2).cardinality).toBe(2);
    expect(Dataset.range(5, 1).cardinality).toBe(0);
    expect(() => Dataset.range(0, 5, 0)).toThrow(/range: `step` must not be 0/);
    expect(() => Dataset.range(1.5)).toThrow(/range: `start` must be an integer|range: `stop` must be an integer/);
  });

  it('zip pairs elements as an array or a dict and stops with the shortest', async () => {
    const a = Dataset.range(4);
    const b = Dataset.range(10, 13);
    expect(await values(Dataset.zip([a, b]))).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    expect(await values(Dataset.zip({ x: a, y: b.map((v) => v * 2) }))).toEqual([
      { x: 0, y: 20 },
      { x: 1, y: 22 },
      { x: 2, y: 24 },
    ]);
    expect(Dataset.zip([a, b]).cardinality).toBe(3);
    expect(Dataset.zip([a, a.repeat()]).cardinality).toBe(4);
    expect(Dataset.zip([a.repeat(), a.repeat()]).cardinality).toBe(INFINITE_CARDINALITY);
    expect(Dataset.zip([a, a.filter(() => true)]).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(() => Dataset.zip([])).toThrow(/zip: `datasets` must not be empty/);
    expect(() => Dataset.zip([a, [1, 2] as never])).toThrow(/zip: every item must be a Dataset; item 1/);
  });

  it('zip disposes the elements already read when another dataset ends', async () => {
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    // Slices of x (3) zipped with 2 numbers: the third slice is read, then freed.
    expect(await values(Dataset.zip([Dataset.fromTensorSlices(x), Dataset.range(2)]))).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('concatenate appends, summing known cardinalities', async () => {
    const ds = Dataset.range(3).concatenate(Dataset.range(10, 12));
    expect(await values(ds)).toEqual([0, 1, 2, 10, 11]);
    expect(ds.cardinality).toBe(5);
    expect(Dataset.range(3).concatenate(Dataset.range(2).filter(() => true)).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(Dataset.range(3).filter(() => true).concatenate(Dataset.range(2).repeat()).cardinality).toBe(INFINITE_CARDINALITY);
    expect(() => Dataset.range(3).concatenate([1] as never)).toThrow(/concatenate: `other` must be a Dataset/);
  });
});

describe('Dataset.fromTensors', () => {
  it('yields the whole structure once per pass as new handles the reader owns', async () => {
    const x = tensor([1, 2]);
    const ds = Dataset.fromTensors({ x, n: 3 });
    expect(ds.cardinality).toBe(1);
    expect(await leakFree(ds)).toEqual([{ x: [1, 2], n: 3 }]);
    expect(await leakFree(ds.repeat(2))).toEqual([
      { x: [1, 2], n: 3 },
      { x: [1, 2], n: 3 },
    ]);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});

describe('map / filter', () => {
  it('map applies fn in order, sync or async, and disposes the input unless returned', async () => {
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    expect(await values(Dataset.fromTensorSlices(x).map((t: Tensor) => ops.multiply(t, 2)))).toEqual([2, 4, 6]);
    expect(await values(Dataset.fromTensorSlices(x).map(async (t: Tensor) => ops.add(t, 1)))).toEqual([2, 3, 4]);
    // Returning the input (or part of a structure holding it) hands it on, not disposed.
    expect(await values(Dataset.fromTensorSlices(x).map((t: Tensor) => ({ same: t, twice: ops.multiply(t, 2) })))).toEqual([
      { same: 1, twice: 2 },
      { same: 2, twice: 4 },
      { same: 3, twice: 6 },
    ]);
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('map with numParallelCalls keeps input order while calls overlap', async () => {
    let running = 0;
    let most = 0;
    const ds = Dataset.range(8).map(
      async (i) => {
        running++;
        most = Math.max(most, running);
        // Later elements finish first: order must still follow the input.
        await new Promise((r) => setTimeout(r, (8 - i) * 3));
        running--;
        return i * 10;
      },
      { numParallelCalls: 3 },
    );
    expect(await values(ds)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
    expect(ds.cardinality).toBe(8);
    expect(await values(Dataset.range(5).map((i) => i + 1, { numParallelCalls: AUTOTUNE }))).toEqual([1, 2, 3, 4, 5]);
  });

  it('map errors name the op and the argument; an error in fn surfaces and frees the element', async () => {
    expect(() => Dataset.range(3).map(5 as never)).toThrow(/map: `fn` must be a function/);
    expect(() => Dataset.range(3).map((v) => v, { numParallelCalls: 0 })).toThrow(/map: `numParallelCalls` must be a positive integer or AUTOTUNE \(-1\); got 0/);
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    const bad = Dataset.fromTensorSlices(x).map((t: Tensor) => {
      if ((t.dataSync()[0] as number) === 2) throw new Error('boom');
      return ops.multiply(t, 1);
    });
    await expect(values(bad)).rejects.toThrow('boom');
    await expect(values(bad.prefetch(2))).rejects.toThrow('boom');
    const badParallel = Dataset.fromTensorSlices(x).map(
      async (t: Tensor) => {
        if ((t.dataSync()[0] as number) === 2) throw new Error('boom');
        return ops.multiply(t, 1);
      },
      { numParallelCalls: 3 },
    );
    await expect(values(badParallel)).rejects.toThrow('boom');
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('filter keeps elements whose predicate is true (boolean or scalar tensor) and disposes the rest', async () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    const before = memory().numTensors;
    const evens = Dataset.fromTensorSlices(x).filter((t: Tensor) => ops.equal(ops.mod(t, 2), 0));
    expect(await values(evens)).toEqual([2, 4, 6]);
    expect(evens.cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(await values(Dataset.fromTensorSlices(x).filter(async (t: Tensor) => (t.dataSync()[0] as number) > 4))).toEqual([5, 6]);
    expect(memory().numTensors).toBe(before);
    expect(await values(Dataset.range(10).filter((i) => i % 3 === 0))).toEqual([0, 3, 6, 9]);
    expect(Dataset.range(3).repeat().filter(() => true).cardinality).toBe(UNKNOWN_CARDINALITY);
    await expect(values(Dataset.range(2).filter(() => 1 as never))).rejects.toThrow(/filter: `predicate` must return a boolean or a scalar bool tensor; got number/);
    await expect(values(Dataset.range(2).filter(() => tensor(1)))).rejects.toThrow(/filter: `predicate` must return a boolean or a scalar bool tensor; got a float32 tensor of shape \(\)/);
    expect(() => Dataset.range(2).filter(null as never)).toThrow(/filter: `predicate` must be a function/);
    x.dispose();
  });
});

describe('batch / paddedBatch / unbatch / rebatch', () => {
  it('batch stacks tensors and numbers, with a smaller last batch unless dropRemainder', async () => {
    const ds = Dataset.range(7).batch(3);
    expect(ds.cardinality).toBe(3);
    expect(await leakFree(ds)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6],
    ]);
    const dropped = Dataset.range(7).batch(3, { dropRemainder: true });
    expect(dropped.cardinality).toBe(2);
    expect(await leakFree(dropped)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const [b] = await Dataset.range(3).batch(3).toArray();
    expect((b as unknown as Tensor).dtype).toBe('int32');
    expect((b as unknown as Tensor).shape).toEqual([3]);
    (b as unknown as Tensor).dispose();
    expect(await values(Dataset.fromGenerator(() => [0.5, 1, 2]).batch(2))).toEqual([[0.5, 1], [2]]);
  });

  it('batch batches tuples and dicts per component', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = tensor([10, 20, 30]);
    const ds = Dataset.fromTensorSlices({ f: [x, y], w: new Float32Array([0.1, 0.2, 0.3]) }).batch(2);
    const out = (await leakFree(ds)) as { f: number[][]; w: number[] }[];
    expect(out.length).toBe(2);
    expect(out[0]!.f).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [10, 20],
    ]);
    expect(out[1]!.f).toEqual([[[5, 6]], [30]]);
    expect(out[0]!.w[0]).toBeCloseTo(0.1, 6);
    expect(out[0]!.w[1]).toBeCloseTo(0.2, 6);
    expect(out[1]!.w[0]).toBeCloseTo(0.3, 6);
    x.dispose();
    y.dispose();
  });

  it('batch pairs dict components by key, whatever their order, and stacks strings and booleans', async () => {
    const ds = Dataset.fromGenerator(() => [
      { a: 1, b: 'x', c: true },
      { c: false, b: 'y', a: 2 },
    ]).batch(2);
    expect(await leakFree(ds)).toEqual([{ a: [1, 2], b: ['x', 'y'], c: [true, false] }]);
  });

  it('batch cardinality: ceil, floor with dropRemainder, unknown and infinite kept', () => {
    expect(Dataset.range(10).batch(4).cardinality).toBe(3);
    expect(Dataset.range(10).batch(4, { dropRemainder: true }).cardinality).toBe(2);
    expect(Dataset.range(8).batch(4).cardinality).toBe(2);
    expect(Dataset.range(0).batch(4).cardinality).toBe(0);
    expect(Dataset.range(10).filter(() => true).batch(4).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(Dataset.range(10).repeat().batch(4).cardinality).toBe(INFINITE_CARDINALITY);
  });

  it('batch errors name the op, the argument and the mismatched shapes, and free the batch', async () => {
    expect(() => Dataset.range(3).batch(0)).toThrow(/Dataset\.batch: `batchSize` must be a positive integer; got 0/);
    expect(() => Dataset.range(3).batch(1.5)).toThrow(/batch: `batchSize`/);
    const before = memory().numTensors;
    const ragged = Dataset.fromGenerator(() => [tensor([1, 2]), tensor([1, 2, 3])]).batch(2);
    await expect(values(ragged)).rejects.toThrow(/batch: cannot stack component \(element\): element 0 has shape \(2,\) but element 1 has shape \(3,\)/);
    expect(memory().numTensors).toBe(before);
    const mixed = Dataset.fromGenerator(() => [[1, 2], { a: 1 }] as unknown[]).batch(2);
    await expect(values(mixed)).rejects.toThrow(/batch: all elements must have the same structure/);
  });

  it('paddedBatch pads each component to the longest in the batch, or to paddedShapes, with paddingValues', async () => {
    const seqs = () => [[1], [2, 3, 4], [5, 6], [7, 8, 9, 10, 11]].map((s) => tensor(s));
    const ds = Dataset.fromGenerator(seqs).paddedBatch(2);
    expect(ds.cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(await leakFree(ds)).toEqual([
      [
        [1, 0, 0],
        [2, 3, 4],
      ],
      [
        [5, 6, 0, 0, 0],
        [7, 8, 9, 10, 11],
      ],
    ]);
    expect(await leakFree(Dataset.fromGenerator(seqs).paddedBatch(3, { paddedShapes: [6], paddingValues: -1, dropRemainder: true }))).toEqual([
      [
        [1, -1, -1, -1, -1, -1],
        [2, 3, 4, -1, -1, -1],
        [5, 6, -1, -1, -1, -1],
      ],
    ]);
    // Tuples: per-component shapes and values (null: longest / default 0).
    const pairs = Dataset.fromGenerator(() => [
      [tensor([[1, 2]]), 7],
      [
        tensor([
          [3, 4],
          [5, 6],
        ]),
        8,
      ],
    ]);
    expect(await leakFree(pairs.paddedBatch(2, { paddedShapes: [[3, null], []], paddingValues: [9, null] }))).toEqual([
      [
        [
          [
            [1, 2],
            [9, 9],
            [9, 9],
          ],
          [
            [3, 4],
            [5, 6],
            [9, 9],
          ],
        ],
        [7, 8],
      ],
    ]);
    expect(Dataset.range(10).paddedBatch(4, { dropRemainder: true }).cardinality).toBe(2);
  });

  it('paddedBatch rejects elements longer than paddedShapes and mismatched options', async () => {
    const before = memory().numTensors;
    const ds = Dataset.fromGenerator(() => [tensor([1, 2, 3])]).paddedBatch(1, { paddedShapes: [2] });
    await expect(values(ds)).rejects.toThrow(/paddedBatch: component \(element\) of element 0 has shape \(3,\), larger than its padded shape \(2,\) in dimension 0/);
    const wrongRank = Dataset.fromGenerator(() => [tensor([1, 2, 3])]).paddedBatch(1, { paddedShapes: [2, 2] });
    await expect(values(wrongRank)).rejects.toThrow(/paddedBatch: the padded shape \(2, 2\) of component \(element\) has rank 2/);
    const wrongStructure = Dataset.fromGenerator(() => [[tensor([1]), tensor([2])]]).paddedBatch(1, { paddedShapes: [[3]] });
    await expect(values(wrongStructure)).rejects.toThrow(/paddedBatch: `paddedShapes` must match the element structure/);
    expect(memory().numTensors).toBe(before);
    expect(() => Dataset.range(3).paddedBatch(-1)).toThrow(/paddedBatch: `batchSize` must be a positive integer; got -1/);
  });

  it('unbatch splits batches back into rows; rebatch re-cuts them', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
    const y = tensor([0, 1, 2, 3, 4]);
    const batched = Dataset.fromTensorSlices([x, y]).batch(2);
    const rows = batched.unbatch();
    expect(rows.cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(await leakFree(rows)).toEqual([
      [[1, 2], 0],
      [[3, 4], 1],
      [[5, 6], 2],
      [[7, 8], 3],
      [[9, 10], 4],
    ]);
    expect(await leakFree(batched.rebatch(3))).toEqual([
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [0, 1, 2],
      ],
      [
        [
          [7, 8],
          [9, 10],
        ],
        [3, 4],
      ],
    ]);
    expect(await leakFree(batched.rebatch(3, { dropRemainder: true }))).toEqual([
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [0, 1, 2],
      ],
    ]);
    expect(batched.rebatch(3).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(() => batched.rebatch(0)).toThrow(/rebatch: `batchSize` must be a positive integer; got 0/);
    // A pass stopped inside a batch frees the rows not yet read.
    const before = memory().numTensors;
    expect(await values(rows.take(3))).toEqual([
      [[1, 2], 0],
      [[3, 4], 1],
      [[5, 6], 2],
    ]);
    expect(memory().numTensors).toBe(before);
    await expect(values(Dataset.range(3).unbatch())).rejects.toThrow(/unbatch: every component must be a tensor of rank >= 1/);
    x.dispose();
    y.dispose();
  });
});

describe('repeat / take / skip', () => {
  it('repeat runs new passes; take and skip count elements', async () => {
    expect(await values(Dataset.range(3).repeat(2))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await values(Dataset.range(3).repeat().take(7))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(await values(Dataset.range(3).repeat(0))).toEqual([]);
    expect(await values(Dataset.range(0).repeat())).toEqual([]);
    expect(await values(Dataset.range(5).take(2))).toEqual([0, 1]);
    expect(await values(Dataset.range(5).take(-1))).toEqual([0, 1, 2, 3, 4]);
    expect(await values(Dataset.range(5).take(0))).toEqual([]);
    expect(await values(Dataset.range(5).skip(2))).toEqual([2, 3, 4]);
    expect(await values(Dataset.range(5).skip(-1))).toEqual([]);
    expect(await values(Dataset.range(5).skip(9))).toEqual([]);
  });

  it('take reads no element past the last it returns', async () => {
    const pulled: number[] = [];
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 10; i++) {
        pulled.push(i);
        yield i;
      }
    });
    expect(await values(ds.take(3))).toEqual([0, 1, 2]);
    expect(pulled).toEqual([0, 1, 2]);
  });

  it('skip disposes the skipped tensors', async () => {
    const x = tensor([1, 2, 3, 4]);
    expect(await leakFree(Dataset.fromTensorSlices(x).skip(3))).toEqual([4]);
    x.dispose();
  });

  it('cardinality of repeat, take and skip follows tf.data', () => {
    const r = Dataset.range(5);
    const unknown = r.filter(() => true);
    expect(r.repeat(3).cardinality).toBe(15);
    expect(r.repeat().cardinality).toBe(INFINITE_CARDINALITY);
    expect(r.repeat(-1).cardinality).toBe(INFINITE_CARDINALITY);
    expect(Dataset.range(0).repeat().cardinality).toBe(0);
    expect(r.repeat(0).cardinality).toBe(0);
    expect(unknown.repeat(2).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(unknown.repeat().cardinality).toBe(INFINITE_CARDINALITY);
    expect(r.take(3).cardinality).toBe(3);
    expect(r.take(9).cardinality).toBe(5);
    expect(r.take(-1).cardinality).toBe(5);
    expect(r.repeat().take(9).cardinality).toBe(9);
    expect(unknown.take(3).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(r.skip(2).cardinality).toBe(3);
    expect(r.skip(9).cardinality).toBe(0);
    expect(r.skip(-1).cardinality).toBe(0);
    expect(r.repeat().skip(2).cardinality).toBe(INFINITE_CARDINALITY);
    expect(unknown.skip(2).cardinality).toBe(UNKNOWN_CARDINALITY);
    expect(r.map((v) => v).cardinality).toBe(5);
    expect(r.shuffle(3).cardinality).toBe(5);
    expect(r.prefetch(2).cardinality).toBe(5);
    expect(r.cache().cardinality).toBe(5);
    expect(r.flatMap((v) => [v]).cardinality).toBe(UNKNOWN_CARDINALITY);
  });

  it('count errors name the op', () => {
    expect(() => Dataset.range(3).take(-2)).toThrow(/Dataset\.take: `count` must be a non-negative integer or -1 \(all\); got -2/);
    expect(() => Dataset.range(3).skip(0.5)).toThrow(/Dataset\.skip: `count`/);
    expect(() => Dataset.range(3).repeat(-3)).toThrow(/Dataset\.repeat: `count` must be a non-negative integer or -1 \(forever\); got -3/);
  });
});

describe('window / flatMap', () => {
  it('window follows tf.data: shift, stride and dropRemainder (windows are arrays)', async () => {
    expect(await values(Dataset.range(7).window(3))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(await values(Dataset.range(7).window(3, { shift: 1, dropRemainder: true }))).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
      [4, 5, 6],
    ]);
    expect(await values(Dataset.range(7).window(3, { shift: 1, stride: 2, dropRemainder: true }))).toEqual([
      [0, 2, 4],
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(await values(Dataset.range(7).window(2, { shift: 3 }))).toEqual([[0, 1], [3, 4], [6]]);
    expect(await values(Dataset.range(5).window(3, { shift: 2 }))).toEqual([[0, 1, 2], [2, 3, 4], [4]]);
  });

  it('window cardinality: ceil(n / shift), or full windows only with dropRemainder', () => {
    expect(Dataset.range(7).window(3).cardinality).toBe(3);
    expect(Dataset.range(7).window(3, { shift: 1 }).cardinality).toBe(7);
    expect(Dataset.range(7).window(3, { shift: 1, dropRemainder: true }).cardinality).toBe(5);
    expect(Dataset.range(7).window(3, { shift: 1, stride: 2, dropRemainder: true }).cardinality).toBe(3);
    expect(Dataset.range(2).window(3, { dropRemainder: true }).cardinality).toBe(0);
    expect(() => Dataset.range(3).window(0)).toThrow(/window: `size` must be a positive integer; got 0/);
    expect(() => Dataset.range(3).window(2, { shift: 0 })).toThrow(/window: `shift` must be a positive integer; got 0/);
  });

  it('overlapping windows of tensors are each owned by their reader', async () => {
    const x = tensor([1, 2, 3, 4]);
    const before = memory().numTensors;
    const wins = await Dataset.fromTensorSlices(x).window(2, { shift: 1, dropRemainder: true }).toArray();
    expect(wins.map((w) => w.map((t) => t.dataSync()[0]))).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    // Disposing one window leaves the next one's shared element readable.
    for (const t of wins[0]!) t.dispose();
    expect(wins[1]![0]!.dataSync()[0]).toBe(2);
    for (const w of wins.slice(1)) for (const t of w) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('flatMap yields each inner dataset in turn', async () => {
    expect(await values(Dataset.range(3).flatMap((n) => Dataset.range(n)))).toEqual([0, 0, 1]);
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(await leakFree(Dataset.fromTensorSlices(x).flatMap((row: Tensor) => Dataset.fromTensorSlices(row)))).toEqual([1, 2, 3, 4]);
    // Windows become batches, the usual tf.data idiom.
    expect(await leakFree(Dataset.fromTensorSlices(x).window(2).map((w) => ops.stack(w as Tensor[])))).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    x.dispose();
  });
});

describe('iteration helpers', () => {
  it('toArray, toArrayValues, forEachAsync and re-iteration', async () => {
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    const ds = Dataset.fromTensorSlices(x).map((t: Tensor) => ops.square(t));
    const arr = await ds.toArray();
    expect(arr.map((t) => t.dataSync()[0])).toEqual([1, 4, 9]);
    for (const t of arr) t.dispose();
    const seen: number[] = [];
    await ds.forEachAsync(async (t) => {
      seen.push((await t.data())[0]!);
    });
    expect(seen).toEqual([1, 4, 9]);
    expect(await ds.toArrayValues()).toEqual([1, 4, 9]);
    expect(memory().numTensors).toBe(before);
    await expect(Dataset.range(2).repeat().toArray()).rejects.toThrow(/toArray: the dataset is infinite/);
    x.dispose();
  });

  it('a Dataset is an AsyncIterable whose each iterator is a new pass', async () => {
    const ds = Dataset.range(3).map((v) => v * 2);
    const a = ds[Symbol.asyncIterator]();
    const b = ds[Symbol.asyncIterator]();
    expect((await a.next()).value).toBe(0);
    expect((await a.next()).value).toBe(2);
    expect((await b.next()).value).toBe(0);
    const rest: number[] = [];
    for await (const v of ds) rest.push(v);
    expect(rest).toEqual([0, 2, 4]);
    expect(ds.disposeBatches).toBe(true);
    expect(ds.size).toBe(3);
    expect(ds.filter(() => true).size).toBeNull();
    expect(ds.repeat().size).toBe(Number.POSITIVE_INFINITY);
  });

  it('an exhausted pass stays done, and a deterministic pipeline gives the same elements every pass', async () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
    const pipeline = Dataset.fromTensorSlices(x)
      .map((t: Tensor) => ops.sum(t))
      .filter((t: Tensor) => ops.greater(t, 3))
      .batch(2)
      .prefetch(2)
      .concatenate(Dataset.fromGenerator(() => [tensor([0])]));
    const first = await pipeline.toArrayValues();
    expect(first).toEqual([[7, 11], [15, 19], [0]]);
    expect(await pipeline.toArrayValues()).toEqual(first);
    for (const ds of [pipeline, Dataset.range(2).shuffle(2, { seed: 1 }), Dataset.fromGenerator(() => [1]), Dataset.range(3).map((v) => v, { numParallelCalls: 2 })] as Dataset<unknown>[]) {
      const it = ds[Symbol.asyncIterator]();
      for (let r = await it.next(); !r.done; r = await it.next()) if (r.value instanceof Object && 'dispose' in r.value) (r.value as Tensor).dispose();
      expect((await it.next()).done).toBe(true);
      expect((await it.next()).done).toBe(true);
    }
    x.dispose();
  });
});
