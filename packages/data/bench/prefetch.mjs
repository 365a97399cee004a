// Benchmark (not a test): one epoch over a dataset whose `map` is slow (an async 20 ms step per
// batch), consumed by a training step that also takes 20 ms, with and without `prefetch`.
// Run after `pnpm --filter @strata/data build`: `node packages/data/bench/prefetch.mjs`.
import { Dataset } from '@strata/data';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const STEPS = 50;
const WORK_MS = 20;

function pipeline(prefetch) {
  let ds = Dataset.range(STEPS).map(async (i) => {
    await sleep(WORK_MS); // e.g. decoding an image batch
    return i;
  });
  if (prefetch) ds = ds.prefetch(2);
  return ds;
}

async function epoch(ds) {
  const t0 = performance.now();
  for await (const _ of ds) await sleep(WORK_MS); // the training step
  return performance.now() - t0;
}

const serial = await epoch(pipeline(false));
const overlapped = await epoch(pipeline(true));
console.log(JSON.stringify({ steps: STEPS, workMs: WORK_MS, serialMs: Math.round(serial), prefetchMs: Math.round(overlapped), speedup: +(serial / overlapped).toFixed(2) }));
