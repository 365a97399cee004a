// makeCsvDataset / textLineDataset in Chromium, streaming a generated file of a few MB from the dev
// server (vitest.browser.config.ts) through fetch, in uneven chunks that cut rows, quoted fields and
// multi-byte characters.
import { type Tensor, ValueError, memory } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { csvName, csvX, textLine } from '../testing/generated';
import { makeCsvDataset } from './make-csv-dataset';
import { textLineDataset } from './text-line-dataset';

const url = (route: string) => `${location.origin}/__data/${route}`;
const ROWS = 100_000;

describe('makeCsvDataset over an http stream', () => {
  it(`reads ${ROWS} rows (~3 MB) in order: every value and every batch exact`, async () => {
    const src = url(`data.csv?n=${ROWS}&chunk=4099`);
    // The body really is a few MB.
    const size = (await (await fetch(src)).arrayBuffer()).byteLength;
    expect(size).toBeGreaterThan(2_500_000);
    const before = memory().numTensors;
    const ds = makeCsvDataset(src, { batchSize: 256, labelName: 'label', numEpochs: 1, shuffle: false });
    let next = 0;
    let batches = 0;
    for await (const batch of ds) {
      const [features, label] = batch as [Record<string, Tensor>, Tensor];
      expect(Object.keys(features)).toEqual(['id', 'x', 'name']);
      expect([features.id!.dtype, features.x!.dtype, features.name!.dtype, label.dtype]).toEqual(['int32', 'float32', 'string', 'int32']);
      const ids = features.id!.dataSync();
      const xs = features.x!.dataSync();
      const names = features.name!.dataSync() as unknown as string[];
      const labels = label.dataSync();
      const n = ids.length;
      expect(n).toBe(Math.min(256, ROWS - next));
      for (let k = 0; k < n; k++, next++) {
        if (ids[k] !== next || xs[k] !== csvX(next) || labels[k] !== next % 3 || names[k] !== csvName(next)) {
          throw new Error(`row ${next}: got ${ids[k]}, ${xs[k]}, ${labels[k]}, ${names[k]}; expected ${next}, ${csvX(next)}, ${next % 3}, ${csvName(next)}`);
        }
      }
      for (const t of [...Object.values(features), label]) t.dispose();
      batches++;
    }
    expect(next).toBe(ROWS);
    expect(batches).toBe(Math.ceil(ROWS / 256));
    expect(memory().numTensors).toBe(before);
  });

  it('shuffled with a seed: a permutation of all rows, each row intact, reproducible', async () => {
    const src = url('data.csv?n=20000&chunk=777');
    const read = async () => {
      const ids: number[] = [];
      for await (const batch of makeCsvDataset(src, { batchSize: 500, numEpochs: 1, shuffleBufferSize: 1000, shuffleSeed: 5, selectColumns: ['id', 'x'] })) {
        const f = batch as Record<string, Tensor>;
        const id = f.id!.dataSync();
        const x = f.x!.dataSync();
        id.forEach((v, k) => {
          if (x[k] !== csvX(v)) throw new Error(`row ${v} has x=${x[k]}, expected ${csvX(v)}`);
          ids.push(v);
        });
        f.id!.dispose();
        f.x!.dispose();
      }
      return ids;
    };
    const a = await read();
    expect(a.length).toBe(20000);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    // A buffer of 1000 really moves rows, but never further back than the buffer allows.
    expect(a.slice(0, 50)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const [pos, v] of a.entries()) if (v >= pos + 1000) throw new Error(`row ${v} came out at ${pos}, before the buffer could hold it`);
    expect(await read()).toEqual(a);
  });

  it('numEpochs null repeats the stream and drops the last partial batch', async () => {
    const ds = makeCsvDataset(url('data.csv?n=10&chunk=7'), { batchSize: 4, shuffle: false, selectColumns: ['id'] });
    const ids: number[] = [];
    for await (const batch of ds.take(6)) {
      const t = (batch as Record<string, Tensor>).id!;
      ids.push(...t.dataSync());
      t.dispose();
    }
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3]);
  });

  it('a 404 is a ValueError naming the URL and status', async () => {
    const bad = url('status/404');
    const err = await (async () => {
      for await (const _ of makeCsvDataset(bad, { batchSize: 1, numEpochs: 1, columnDefaults: ['int32'], columnNames: ['a'] })) {
        // unreachable
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toContain(`cannot fetch ${bad}: HTTP 404`);
  });
});

describe('textLineDataset over an http stream', () => {
  it('every line exact across chunk cuts inside multi-byte characters; batches are string tensors', async () => {
    const N = 30_000;
    const lines = await textLineDataset(url(`lines.txt?n=${N}&chunk=1001`)).toArray();
    expect(lines.length).toBe(N);
    for (let i = 0; i < N; i++) if (lines[i] !== textLine(i)) throw new Error(`line ${i}: ${JSON.stringify(lines[i])} != ${JSON.stringify(textLine(i))}`);
    const before = memory().numTensors;
    const batches = await textLineDataset([url('lines.txt?n=5&chunk=3'), url('lines.txt?n=3&chunk=5')]).batch(3).toArray();
    expect(batches.map((b) => (b as unknown as Tensor).shape)).toEqual([[3], [3], [2]]);
    expect(batches.flatMap((b) => (b as unknown as Tensor).dataSync() as unknown as string[])).toEqual([0, 1, 2, 3, 4, 0, 1, 2].map(textLine));
    for (const b of batches) (b as unknown as Tensor).dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('stopping early cancels the stream; a 500 names the URL', async () => {
    const first = await textLineDataset(url('lines.txt?n=200000&chunk=65536')).take(3).toArray();
    expect(first).toEqual([0, 1, 2].map(textLine));
    await expect(textLineDataset(url('status/500')).toArray()).rejects.toThrow(`textLineDataset: cannot fetch ${url('status/500')}: HTTP 500`);
  });
});

describe('local paths in the browser', () => {
  it('a file path is a ValueError saying to use a URL', async () => {
    await expect(textLineDataset('/tmp/lines.txt').toArray()).rejects.toThrow(
      "textLineDataset: cannot read /tmp/lines.txt: local files need Node's file system; pass an http(s) URL in the browser.",
    );
  });
});
