// Benchmark (not a test): streams a large CSV through makeCsvDataset(...).map(...).prefetch(2) and
// prints the throughput and the peak RSS. Needs the built package: `pnpm --filter @strata/data build`.
//
//   node bench/csv-stream.mjs [--size-mb 1024] [--file /path/to/file.csv] [--keep] [--shuffle]
//
// Without --file it writes a CSV of --size-mb (default 1024) MB of 8 float columns + an int label
// in the OS temp folder (reused when already there, deleted afterwards unless --keep).
import { createWriteStream, existsSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    file: { type: 'string' },
    keep: { type: 'boolean', default: false },
    shuffle: { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '1024' },
  },
});

const { ops, memory } = await import('@strata/core');
let data;
try {
  data = await import('../dist/index.js');
} catch (e) {
  console.error('Build the package first: pnpm --filter @strata/data build\n', e.message);
  process.exit(1);
}
const { makeCsvDataset } = data;

const sizeMB = Number(args['size-mb']);
const path = args.file ?? join(tmpdir(), `strata-csv-bench-${sizeMB}mb.csv`);

async function writeCsv(p, bytesWanted) {
  const out = createWriteStream(p);
  const write = (s) => new Promise((resolve) => (out.write(s) ? resolve() : out.once('drain', resolve)));
  await write('f0,f1,f2,f3,f4,f5,f6,f7,label\n');
  let bytes = 0;
  let seed = 1;
  let row = 0;
  while (bytes < bytesWanted) {
    let chunk = '';
    for (let r = 0; r < 5000; r++) {
      let line = '';
      for (let c = 0; c < 8; c++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        line += `${(seed / 2 ** 32).toFixed(5)},`;
      }
      chunk += `${line}${row++ % 10}\n`;
    }
    bytes += chunk.length;
    await write(chunk);
  }
  await new Promise((resolve) => out.end(resolve));
}

if (!args.file && !(existsSync(path) && statSync(path).size >= sizeMB * 2 ** 20)) {
  const t = performance.now();
  process.stdout.write(`writing ${sizeMB} MB to ${path} ... `);
  await writeCsv(path, sizeMB * 2 ** 20);
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const fileMB = statSync(path).size / 2 ** 20;

globalThis.gc?.();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const tensors0 = memory().numTensors;
const t0 = performance.now();
let rows = 0;
const ds = makeCsvDataset(path, {
  batchSize: Number(args['batch-size']),
  labelName: 'label',
  numEpochs: 1,
  shuffle: args.shuffle,
})
  .map(([features, label]) => [ops.stack(Object.values(features), 1), label])
  .prefetch(2);
for await (const [x, y] of ds) {
  rows += x.shape[0];
  x.dispose();
  y.dispose();
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
}
const secs = (performance.now() - t0) / 1000;
console.log(`file        ${fileMB.toFixed(0)} MB, ${rows} rows${args.shuffle ? ' (shuffled)' : ''}`);
console.log(`time        ${secs.toFixed(2)} s`);
console.log(`throughput  ${(fileMB / secs).toFixed(1)} MB/s, ${(rows / secs / 1000).toFixed(0)}k rows/s`);
console.log(`peak RSS    ${(peak / 2 ** 20).toFixed(0)} MB (growth ${((peak - rss0) / 2 ** 20).toFixed(0)} MB over ${(rss0 / 2 ** 20).toFixed(0)} MB at start)`);
console.log(`tensors     ${memory().numTensors - tensors0} left alive`);
if (!args.file && !args.keep) unlinkSync(path);
