import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, ops } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCsvDataset } from './make-csv-dataset';

const TARGET_BYTES = 50 * 1024 * 1024;
let dir: string;
let path: string;
let rowsWritten = 0;
let labelSum = 0;

/** Writes ~50 MB of CSV (8 float features + an int label) with backpressure, never holding it whole. */
async function writeCsv(p: string): Promise<void> {
  const out = createWriteStream(p);
  let bytes = 0;
  const write = (s: string) => new Promise<void>((resolve) => (out.write(s) ? resolve() : out.once('drain', resolve)));
  await write('f0,f1,f2,f3,f4,f5,f6,f7,label\n');
  let seed = 12345;
  while (bytes < TARGET_BYTES) {
    let chunk = '';
    for (let r = 0; r < 2000; r++) {
      const vals: string[] = [];
      for (let c = 0; c < 8; c++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        vals.push((seed / 2 ** 32).toFixed(5));
      }
      const label = rowsWritten % 3;
      labelSum += label;
      rowsWritten++;
      chunk += `${vals.join(',')},${label}\n`;
    }
    bytes += chunk.length;
    await write(chunk);
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-csv-mem-'));
  path = join(dir, 'big.csv');
  await writeCsv(path);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeCsvDataset streams a large file in bounded memory', () => {
  it('reads ~50 MB through map + prefetch with RSS growth under 150 MB and no leaked tensors', async () => {
    expect(statSync(path).size).toBeGreaterThanOrEqual(TARGET_BYTES);
    (globalThis as { gc?: () => void }).gc?.();
    const tensorsBefore = memory().numTensors;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let rows = 0;
    let labels = 0;
    const ds = makeCsvDataset(path, { batchSize: 512, labelName: 'label', numEpochs: 1, shuffleBufferSize: 10000, shuffleSeed: 1 })
      .map((b) => {
        const [features, label] = b as [Record<string, Tensor>, Tensor];
        return [ops.stack(Object.values(features), 1), label] as [Tensor, Tensor];
      })
      .prefetch(2);
    for await (const [x, y] of ds) {
      expect(x.shape[1]).toBe(8);
      rows += x.shape[0]!;
      labels += (y.dataSync() as Int32Array).reduce((a, v) => a + v, 0);
      x.dispose();
      y.dispose();
      const rss = process.memoryUsage().rss;
      if (rss > peak) peak = rss;
    }
    // Every row arrives once (shuffled), with its label.
    expect(rows).toBe(rowsWritten);
    expect(labels).toBe(labelSum);
    expect(memory().numTensors).toBe(tensorsBefore);
    const growthMB = (peak - rssBefore) / 2 ** 20;
    console.log(`csv stream: ${rows} rows, peak RSS growth ${growthMB.toFixed(1)} MB`);
    expect(growthMB).toBeLessThan(150);
  }, 120_000);
});
