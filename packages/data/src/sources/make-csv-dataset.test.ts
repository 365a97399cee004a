import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CsvBatch, inferCsvType, makeCsvDataset } from './make-csv-dataset';

let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-csv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads every batch to plain values and disposes the tensors. */
async function read(ds: AsyncIterable<CsvBatch>): Promise<{ features: Record<string, unknown[]>; label: unknown[]; dtypes: Record<string, string>; sizes: number[] }> {
  const features: Record<string, unknown[]> = {};
  const label: unknown[] = [];
  const dtypes: Record<string, string> = {};
  const sizes: number[] = [];
  for await (const b of ds) {
    const [f, l] = Array.isArray(b) ? b : [b, null];
    for (const [k, t] of Object.entries(f)) {
      (features[k] ??= []).push(...(t.arraySync() as unknown[]));
      dtypes[k] = t.dtype;
      sizes.push(t.shape[0]!);
      t.dispose();
    }
    if (l) {
      label.push(...(l.arraySync() as unknown[]));
      dtypes['<label>'] = l.dtype;
      l.dispose();
    }
  }
  return { features, label, dtypes, sizes };
}

describe('inferCsvType (tf.data _infer_type)', () => {
  it('walks int32 -> int64 -> float32 -> float64 -> string and never goes back', () => {
    expect(inferCsvType('12', '', null)).toBe('int32');
    expect(inferCsvType(' -7 ', '', null)).toBe('int32');
    expect(inferCsvType('3000000000', '', null)).toBe('int64');
    expect(inferCsvType('1.5', '', null)).toBe('float32');
    expect(inferCsvType('1e39', '', null)).toBe('float64');
    expect(inferCsvType('abc', '', null)).toBe('string');
    expect(inferCsvType('12', '', 'float32')).toBe('float32');
    expect(inferCsvType('1.5', '', 'string')).toBe('string');
    // NumPy: float32('nan') < inf is False, and so is 'inf': such columns become strings.
    expect(inferCsvType('nan', '', null)).toBe('string');
    expect(inferCsvType('inf', '', null)).toBe('string');
    expect(inferCsvType('-inf', '', null)).toBe('float32');
    // Missing values say nothing.
    expect(inferCsvType('', '', 'int32')).toBe('int32');
    expect(inferCsvType('NA', 'NA', null)).toBeNull();
  });
});

describe('makeCsvDataset', () => {
  it('infers names and types, splits off the label, keeps the last partial batch with numEpochs 1', async () => {
    const p = file('a.csv', 'x,y,name,label\n1,0.5,ab,0\n2,,cd,1\n3,1.25,"e,f",0\n,2,,1\n5,3,gh,0\n');
    const before = memory().numTensors;
    const ds = makeCsvDataset(p, { batchSize: 2, labelName: 'label', numEpochs: 1, shuffle: false });
    const r = await read(ds);
    expect(Object.keys(r.features)).toEqual(['x', 'y', 'name']);
    expect(r.features.x).toEqual([1, 2, 3, 0, 5]); // missing -> 0 (inferred columns are optional)
    expect(r.features.y).toEqual([0.5, 0, 1.25, 2, 3]);
    expect(r.features.name).toEqual(['ab', 'cd', 'e,f', '', 'gh']);
    expect(r.label).toEqual([0, 1, 0, 1, 0]);
    expect(r.dtypes).toEqual({ x: 'int32', y: 'float32', name: 'string', '<label>': 'int32' });
    expect(r.sizes.filter((_, i) => i % 3 === 0)).toEqual([2, 2, 1]);
    expect(memory().numTensors).toBe(before);
  });
  it('without labelName yields the feature dict; selectColumns keeps file order', async () => {
    const p = file('b.csv', 'a,b,c\n1,2,3\n4,5,6\n');
    const ds = makeCsvDataset(p, { batchSize: 5, numEpochs: 1, shuffle: false, selectColumns: ['c', 0] });
    const batches = await ds.toArray();
    expect(batches.length).toBe(1);
    const f = batches[0] as Record<string, Tensor>;
    expect(Object.keys(f)).toEqual(['a', 'c']);
    expect(f.a!.arraySync()).toEqual([1, 4]);
    expect(f.c!.arraySync()).toEqual([3, 6]);
    for (const t of Object.values(f)) t.dispose();
  });
  it('numEpochs null repeats forever and drops the remainder', async () => {
    const p = file('c.csv', 'v\n1\n2\n3\n');
    const ds = makeCsvDataset(p, { batchSize: 2, shuffle: false });
    expect(ds.cardinality).toBe(-2);
    const got = await read(ds.take(4));
    // tf.data repeats before batching, so batches run across the epoch boundary: 1 2 | 3 1 | 2 3 | 1 2.
    expect(got.features.v).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect(got.sizes).toEqual([2, 2, 2, 2]);
  });
  it('numEpochs 2 without shuffle reads the file twice, the tail batch kept', async () => {
    const p = file('d.csv', 'v\n1\n2\n3\n');
    const got = await read(makeCsvDataset(p, { batchSize: 2, numEpochs: 2, shuffle: false }));
    expect(got.features.v).toEqual([1, 2, 3, 1, 2, 3]);
  });
  it('column names, defaults (required / optional), naValue, header off, delimiter', async () => {
    const p = file('e.csv', '1;NA;x\n2;7;y\n');
    const ds = makeCsvDataset(p, {
      batchSize: 8,
      numEpochs: 1,
      shuffle: false,
      header: false,
      fieldDelim: ';',
      naValue: 'NA',
      columnNames: ['i', 'f', 's'],
      columnDefaults: ['int32', { dtype: 'float32', value: -1 }, 'string'],
    });
    const r = await read(ds);
    expect(r.features).toEqual({ i: [1, 2], f: [-1, 7], s: ['x', 'y'] });
    const q = file('f.csv', 'a,b\n1,\n');
    await expect(read(makeCsvDataset(q, { batchSize: 1, numEpochs: 1, columnDefaults: ['int32', 'int32'] }))).rejects.toThrow(
      /field 1 \(column "b"\) is required but missing in record 1 of .*f\.csv/,
    );
  });
  it('bad rows fail with the path and record, or are skipped with ignoreErrors', async () => {
    const p = file('g.csv', 'a,b\n1,2\n3\n4,x\n5,6\n');
    await expect(read(makeCsvDataset(p, { batchSize: 4, numEpochs: 1, shuffle: false, columnDefaults: ['int32', 'int32'] }))).rejects.toThrow(
      /expect 2 fields but have 1 in record 2 of .*g\.csv/,
    );
    const ok = await read(makeCsvDataset(p, { batchSize: 4, numEpochs: 1, shuffle: false, columnDefaults: ['int32', 'int32'], ignoreErrors: true }));
    expect(ok.features).toEqual({ a: [1, 5], b: [2, 6] });
  });
  it('shuffles rows through the buffer: a permutation, reproducible with a seed', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i}`).join('\n');
    const p = file('h.csv', `v\n${rows}\n`);
    const make = () => makeCsvDataset(p, { batchSize: 7, numEpochs: 1, shuffleSeed: 5, shuffleBufferSize: 16 });
    const a = (await read(make())).features.v as number[];
    const b = (await read(make())).features.v as number[];
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // A buffer of 16 can only move a row up to 15 places earlier.
    a.forEach((v, i) => {
      expect(i).toBeGreaterThanOrEqual(v - 15);
    });
  });
  it('errors name the argument and the path', async () => {
    expect(() => makeCsvDataset('x.csv', { batchSize: 0 })).toThrow(/batch_size=0/);
    expect(() => makeCsvDataset([], { batchSize: 1 })).toThrow(/file_pattern/);
    expect(() => makeCsvDataset('x.csv', { batchSize: 1, header: false })).toThrow(/without a header line/);
    expect(() => makeCsvDataset('x.csv', { batchSize: 1, fieldDelim: '::' })).toThrow(/field_delim/);
    await expect(read(makeCsvDataset(join(dir, 'missing.csv'), { batchSize: 1 }))).rejects.toThrow(/cannot read .*missing\.csv/);
    const p = file('i.csv', 'a,b\n1,2\n');
    await expect(read(makeCsvDataset(p, { batchSize: 1, labelName: 'zz', numEpochs: 1 }))).rejects.toThrow(/label_name=zz/);
    await expect(read(makeCsvDataset(p, { batchSize: 1, selectColumns: ['q'], numEpochs: 1 }))).rejects.toThrow(/'q' specified in `select_columns`/);
  });
  it('streams a URL through fetch (chunks split inside records and quotes)', async () => {
    const server = createServer((_req, res) => {
      res.write('a,b\n1,"x');
      setTimeout(() => res.end('y"\n2,z\n'), 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await read(makeCsvDataset(`http://127.0.0.1:${port}/d.csv`, { batchSize: 4, numEpochs: 1, shuffle: false }));
      expect(r.features).toEqual({ a: [1, 2], b: ['xy', 'z'] });
      await expect(read(makeCsvDataset(`http://127.0.0.1:${port + 1}/none.csv`, { batchSize: 1, numEpochs: 1 }))).rejects.toThrow(/cannot fetch http:\/\/127\.0\.0\.1/);
    } finally {
      server.close();
    }
  });
  it('a reader stopping early leaks no tensors', async () => {
    const p = file('j.csv', `v\n${Array.from({ length: 100 }, (_, i) => i).join('\n')}\n`);
    const before = memory().numTensors;
    for await (const b of makeCsvDataset(p, { batchSize: 10, numEpochs: 1 })) {
      for (const t of Object.values(b as Record<string, Tensor>)) t.dispose();
      break;
    }
    expect(memory().numTensors).toBe(before);
  });
});
