import { type Tensor, memory } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { timeseriesDatasetFromArray, timeseriesStartPositions } from './timeseries-dataset-from-array';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function collect(ds: AsyncIterable<unknown>): Promise<{ x: number[][][]; y: number[][] }> {
  const x: number[][][] = [];
  const y: number[][] = [];
  for await (const el of ds) {
    if (Array.isArray(el)) {
      const [a, b] = el as [Tensor, Tensor];
      x.push(a.arraySync() as number[][]);
      y.push(b.arraySync() as number[]);
      a.dispose();
      b.dispose();
    } else {
      x.push((el as Tensor).arraySync() as number[][]);
      (el as Tensor).dispose();
    }
  }
  return { x, y };
}

describe('timeseriesDatasetFromArray', () => {
  it('Keras docstring example 1: length 10, rate 2, stride 3 over 0..98', async () => {
    const ds = timeseriesDatasetFromArray(range(99), null, 10, { samplingRate: 2, sequenceStride: 3, batchSize: null });
    const { x } = await collect(ds);
    // Starts 0, 3, ..., 78: (99 - 9 * 2 = 81 start slots, stride 3 -> 27 windows).
    expect(x.length).toBe(27);
    expect(ds.cardinality).toBe(27);
    expect(x[0]).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(x[1]).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19, 21]);
    expect(x[2]).toEqual([6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    expect(x[26]).toEqual([78, 80, 82, 84, 86, 88, 90, 92, 94, 96]);
  });
  it('example 2: targets[i] belongs to the window starting at i; batches of 4', async () => {
    const data = range(20).map((v) => v * 10);
    const ds = timeseriesDatasetFromArray(data.slice(0, -3), data.slice(3), 3, { batchSize: 4 });
    const { x, y } = await collect(ds);
    // 17 inputs, 17 - 2 = 15 windows, targets length 17 -> 15 windows -> batches 4,4,4,3.
    expect(x.map((b) => b.length)).toEqual([4, 4, 4, 3]);
    expect(x[0]![0]).toEqual([0, 10, 20]);
    expect(y[0]![0]).toBe(30);
    expect(x[3]![2]).toEqual([140, 150, 160]);
    expect(y[3]![2]).toBe(170);
  });
  it('startIndex/endIndex restrict the data and shift the targets', async () => {
    const ds = timeseriesDatasetFromArray(range(10), range(10).map((v) => 100 + v), 3, { startIndex: 2, endIndex: 8, batchSize: null });
    const { x, y } = await collect(ds);
    // data[2:8] = 2..7 -> windows starting at 2, 3, 4, 5; targets[2 + p].
    expect(x).toEqual([
      [2, 3, 4],
      [3, 4, 5],
      [4, 5, 6],
      [5, 6, 7],
    ]);
    expect(y).toEqual([102, 103, 104, 105]);
  });
  it('short targets bound the number of windows', () => {
    expect(timeseriesStartPositions(3, 2, 1, 1, 0, 10)).toEqual([0, 1, 2]);
    expect(timeseriesStartPositions(null, 2, 4, 1, 0, 10)).toEqual([0, 4, 8]);
    expect(timeseriesStartPositions(null, 9, 1, 1, 0, 5)).toEqual([]);
  });
  it('multivariate data keeps the feature axis; int data stays int32', async () => {
    const data = range(6).map((t) => [t, -t]);
    const ds = timeseriesDatasetFromArray(data, null, 2, { sequenceStride: 2, batchSize: 8 });
    for await (const el of ds) {
      const t = el as Tensor;
      expect(t.dtype).toBe('int32');
      expect(t.shape).toEqual([3, 2, 2]);
      expect(t.arraySync()).toEqual([
        [
          [0, 0],
          [1, -1],
        ],
        [
          [2, -2],
          [3, -3],
        ],
        [
          [4, -4],
          [5, -5],
        ],
      ]);
      t.dispose();
    }
  });
  it('shuffle permutes the windows, keeps each target with its window, and is seeded', async () => {
    const data = range(30);
    const targets = data.map((v) => v + 1000);
    const make = () => timeseriesDatasetFromArray(data, targets, 4, { shuffle: true, seed: 7, batchSize: 5 });
    const a = await collect(make());
    const b = await collect(make());
    expect(a).toEqual(b);
    const firsts = a.x.flat().map((w) => w[0]!);
    expect([...firsts].sort((p, q) => p - q)).toEqual(range(27));
    expect(firsts).not.toEqual(range(27));
    a.x.flat().forEach((w, i) => {
      expect(w).toEqual([w[0]!, w[0]! + 1, w[0]! + 2, w[0]! + 3]);
      expect(a.y.flat()[i]).toBe(w[0]! + 1000);
    });
  });
  it('leaks no tensors over a full pass or an early stop', async () => {
    const before = memory().numTensors;
    const ds = timeseriesDatasetFromArray(range(50), range(50), 5, { batchSize: 4, shuffle: true, seed: 1 });
    await collect(ds);
    for await (const el of ds) {
      for (const t of el as Tensor[]) t.dispose();
      break;
    }
    expect(memory().numTensors).toBe(before);
  });
  it('validates its arguments as Keras does', () => {
    expect(() => timeseriesDatasetFromArray(range(10), null, 2, { startIndex: 10 })).toThrow(/`start_index` must be lower than the length of the data. Received: start_index=10, for data of length 10/);
    expect(() => timeseriesDatasetFromArray(range(10), null, 2, { startIndex: 5, endIndex: 4 })).toThrow(/`end_index` must be higher than `start_index`/);
    expect(() => timeseriesDatasetFromArray(range(10), null, 2, { endIndex: 10 })).toThrow(/end_index=10, for data of length 10/);
    expect(() => timeseriesDatasetFromArray(range(10), null, 2, { samplingRate: 0 })).toThrow(/sampling_rate=0/);
    expect(() => timeseriesDatasetFromArray(range(10), null, 2, { sequenceStride: 10 })).toThrow(/sequence_stride=10/);
    expect(() => timeseriesDatasetFromArray([[1, 2], [3]], null, 2)).toThrow(/`data` is not rectangular/);
  });
});
