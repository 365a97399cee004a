// Strata vs @tensorflow/tfjs-layers 4.22: the same workloads, on the same registered backend, in
// one process. Usage:
//   node src/run.mjs [--backend cpu,wasm] [--workload mlp,cnn,mobilenet-b1,mobilenet-b8,lstm]
//                    [--quick] [--dry] [--peer stock|shared] [--budget SECONDS] [--out FILE]
// --quick: small sizes and few repetitions (checks the harness in under a minute).
// --dry: builds every model on both sides, predicts once and checks that output shapes and parameter
//        counts agree; no timing; exit code 1 on any mismatch or failure.
// --peer stock (default): tfjs-layers runs with tfjs' own kernels and gradients, as its users get
//        them; --peer shared: with Strata's kernel and gradient registrations (same backend code).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordRegistrations } from './registries.mjs';
import { WORKLOADS, strataBuilder, tfjsLayersBuilder } from './workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string' },
    workload: { type: 'string' },
    quick: { type: 'boolean', default: false },
    dry: { type: 'boolean', default: false },
    peer: { type: 'string', default: 'stock' },
    budget: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 9).join('\n').replaceAll('// ', ''));
  process.exit(0);
}
if (!['stock', 'shared'].includes(opts.peer)) fail(`--peer must be 'stock' or 'shared', got '${opts.peer}'`);

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// ---- Loading: stock tfjs first, then Strata, recording what Strata adds to the shared registries.
const tfc = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await import('@tensorflow/tfjs-backend-wasm');
const tfl = await import('@tensorflow/tfjs-layers');
const engine = tfc.engine();
const stockWasm = engine.registryFactory.wasm;
// @strata/backend-wasm may register a 'wasm' backend of its own; tfjs refuses a second registration
// under a taken name, so the stock one is taken out first and put back if Strata's import did not
// register one (it currently relies on tfjs-backend-wasm's registration, which already ran here).
tfc.removeBackend('wasm');
const recording = recordRegistrations();
const core = await import('@strata/core');
const layers = await import('@strata/layers');
const models = await import('@strata/models');
await import('@strata/optimizers');
let wasmSource;
try {
  await import('@strata/backend-wasm');
  wasmSource = core.listBackends().includes('wasm')
    ? '@strata/backend-wasm (its own backend registration and kernels)'
    : // It registers through its import of @tensorflow/tfjs-backend-wasm, which had already run here.
      "@strata/backend-wasm's kernels on tfjs-backend-wasm 4.22's backend factory";
} catch (e) {
  wasmSource = `stock @tensorflow/tfjs-backend-wasm 4.22 (@strata/backend-wasm not usable: ${firstLine(e)})`;
}
if (!core.listBackends().includes('wasm')) tfc.registerBackend('wasm', stockWasm.factory, stockWasm.priority);
const registries = recording.finish();

function firstLine(e) {
  return String(e?.message ?? e).split('\n')[0];
}

// ---- One tfjs-core: both libraries must run on the same engine instance.
function checkSingleEngine() {
  const paths = {
    bench: require.resolve('@tensorflow/tfjs-core'),
    'tfjs-layers': createRequire(require.resolve('@tensorflow/tfjs-layers')).resolve('@tensorflow/tfjs-core'),
    '@strata/core': createRequire(require.resolve('@strata/core')).resolve('@tensorflow/tfjs-core'),
  };
  const real = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, realpathSync(p)]));
  const copies = new Set(Object.values(real));
  const fromLayers = tfl.layers.flatten().apply(tfc.zeros([1, 2, 2]));
  const fromStrata = core.ops.reshape(core.tensor([1, 2, 3, 4]), [1, 4]);
  const sameEngine =
    engine === globalThis._tfengine && fromLayers instanceof tfc.Tensor && fromStrata instanceof tfc.Tensor;
  tfc.dispose([fromLayers, fromStrata]);
  if (copies.size !== 1 || !sameEngine) {
    fail(`more than one tfjs-core engine is loaded: ${JSON.stringify(real, null, 2)} (same engine: ${sameEngine})`);
  }
  return { tfjsCore: relative(join(here, '..', '..', '..'), [...copies][0]), sameEngineChecked: true };
}
await core.setBackend('cpu');
const engineCheck = checkSingleEngine();

// ---- Options.
const available = core.listBackends();
const preferred = ['cpu', 'wasm', 'webgl', 'webgpu'];
const backends = opts.backend
  ? opts.backend.split(',').map((s) => s.trim())
  : [...preferred.filter((b) => available.includes(b)), ...available.filter((b) => !preferred.includes(b))];
for (const b of backends) if (!available.includes(b)) fail(`backend '${b}' is not registered; registered: ${available.join(', ')}`);
const workloads = opts.workload
  ? opts.workload.split(',').map((id) => WORKLOADS.find((w) => w.id === id.trim()) ?? fail(`unknown workload '${id}'; known: ${WORKLOADS.map((w) => w.id).join(', ')}`))
  : WORKLOADS;
const budgetMs = 1000 * Number(opts.budget ?? (opts.quick ? 5 : 30));
const size = opts.quick ? 'quick' : 'full';

// ---- Synthetic data (fixed seeds).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const DATA_SEED = 1234;
const WEIGHT_SEED = 42;

function syntheticData(wl, p, samples) {
  const rand = mulberry32(DATA_SEED);
  const shape = [samples, ...wl.inputShape(p)];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rand();
  const out = { x: tfc.tensor(x, shape) };
  if (wl.classes) {
    const y = new Float32Array(samples * wl.classes);
    for (let i = 0; i < samples; i++) y[i * wl.classes + Math.floor(rand() * wl.classes)] = 1;
    out.y = tfc.tensor(y, [samples, wl.classes]);
  }
  return out;
}

// ---- Running one side.
const builders = { strata: strataBuilder({ layers, models }), 'tfjs-layers': tfjsLayersBuilder(tfl) };
const SIDES = ['strata', 'tfjs-layers'];

function useRegistries(side) {
  if (side === 'tfjs-layers' && opts.peer === 'stock') registries.useStock();
  else registries.useStrata();
}

function buildModel(side, wl, p) {
  useRegistries(side);
  if (side === 'strata') core.setRandomSeed(WEIGHT_SEED);
  const model = wl.build(builders[side], p);
  if (wl.kind === 'fit') builders[side].compile(model);
  return model;
}

function disposeModel(model) {
  try {
    if (typeof model.dispose === 'function') model.dispose();
    else for (const w of model.weights ?? []) w.dispose?.();
  } catch {
    // Disposal only keeps memory down between workloads; a failure here does not affect figures.
  }
}

async function once(wl, model, x, y, batch) {
  if (wl.kind === 'fit') {
    await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
  } else {
    const out = model.predict(x, { batchSize: batch });
    await out.data();
    tfc.dispose(out);
  }
}

async function timed(state, wl, x, y, batch) {
  useRegistries(state.side);
  try {
    const t0 = performance.now();
    await once(wl, state.model, x, y, batch);
    return performance.now() - t0;
  } finally {
    registries.useStrata();
  }
}

/** Builds one side's model and warms it up; `state.error` says why it cannot run. */
async function prepare(side, wl, p, data) {
  const state = { side, times: [], timedSamples: data.x.shape[0] };
  let warmX;
  let warmY;
  try {
    useRegistries(side);
    state.model = buildModel(side, wl, p);
    registries.useStrata();
    warmX = wl.kind === 'fit' ? data.x.slice(0, p.batch) : data.x;
    warmY = wl.kind === 'fit' ? data.y.slice(0, p.batch) : undefined;
    state.warmupMs = await timed(state, wl, warmX, warmY, p.batch);
    if (state.warmupMs > budgetMs) {
      // Slower than the whole budget (stock tfjs' conv filter gradient on cpu): more batches would
      // cost minutes and change nothing, so the warm-up batch is the figure.
      state.times.push(state.warmupMs);
      state.timedSamples = wl.kind === 'fit' ? p.batch : state.timedSamples;
      state.note = `timed from the warm-up batch only (${Math.round(state.warmupMs / 1000)} s, over the ${budgetMs / 1000} s budget)`;
      state.done = true;
    } else if (wl.kind === 'fit' && p.steps > 1) {
      // A second, untimed pass over the timed data: JIT and allocation warm-up for the full epoch.
      state.warmupMs += await timed(state, wl, data.x, data.y, p.batch);
    }
  } catch (e) {
    state.error = firstLine(e);
    state.done = true;
  } finally {
    registries.useStrata();
    if (wl.kind === 'fit') tfc.dispose([warmX, warmY].filter(Boolean));
  }
  return state;
}

function summarize(state, p) {
  if (state.error) return { error: state.error };
  const sorted = [...state.times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    ...(state.note ? { note: state.note } : {}),
    samplesPerSec: state.timedSamples / (median / 1000),
    msPerBatch: median / (state.timedSamples / p.batch),
    medianMs: median,
    timesMs: state.times.map((t) => Math.round(t * 10) / 10),
    warmupMs: Math.round(state.warmupMs),
    reps: state.times.length,
    params: state.model.countParams(),
  };
}

/**
 * Measures both sides on the same data with their timed repetitions interleaved (the side that
 * goes first alternates), so that load from other processes drifting over time hits both alike.
 */
async function measurePair(wl, p, data) {
  const before = tfc.memory().numTensors;
  const states = [];
  for (const side of SIDES) states.push(await prepare(side, wl, p, data));
  for (let round = 0; states.some((s) => !s.done); round++) {
    const order = round % 2 ? [...states].reverse() : states;
    for (const state of order) {
      if (state.done) continue;
      try {
        state.times.push(await timed(state, wl, data.x, data.y, p.batch));
      } catch (e) {
        state.error = firstLine(e);
      }
      const spent = state.times.reduce((a, b) => a + b, 0);
      state.done = Boolean(state.error) || state.times.length >= p.reps || spent > budgetMs;
    }
  }
  const [strata, peer] = states.map((s) => summarize(s, p));
  for (const s of states) if (s.model) disposeModel(s.model);
  return { strata, peer, tensorsLeft: tfc.memory().numTensors - before };
}

// ---- Dry run: build both sides, predict once, compare shapes and parameter counts.
async function dryRun() {
  let failures = 0;
  for (const backend of backends) {
    await core.setBackend(backend);
    for (const wl of workloads) {
      const p = wl[size];
      const probeBatch = Math.min(p.batch, 2);
      const { x } = syntheticData({ ...wl, classes: 0 }, p, probeBatch);
      const seen = {};
      for (const side of ['strata', 'tfjs-layers']) {
        let model;
        try {
          model = buildModel(side, wl, p);
          const out = model.predict(x, { batchSize: probeBatch });
          await out.data();
          seen[side] = { shape: out.shape, params: model.countParams() };
          tfc.dispose(out);
        } catch (e) {
          seen[side] = { error: firstLine(e) };
        } finally {
          registries.useStrata();
          if (model) disposeModel(model);
        }
      }
      tfc.dispose(x);
      const a = seen.strata;
      const b = seen['tfjs-layers'];
      const ok = !a.error && !b.error && JSON.stringify(a.shape) === JSON.stringify(b.shape) && a.params === b.params;
      if (!ok) failures++;
      const show = (s) => (s.error ? `error: ${s.error}` : `output [${s.shape}], ${s.params.toLocaleString('en-US')} params`);
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${backend.padEnd(6)} ${wl.id.padEnd(13)} strata ${show(a)} | tfjs-layers ${show(b)}`);
    }
  }
  console.log(failures ? `\n${failures} workload(s) differ or failed` : '\nall models build on both sides with equal output shapes and parameter counts');
  process.exit(failures ? 1 : 0);
}

// ---- Report helpers.
const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
function cell(r, wl) {
  if (!r) return '-';
  if (r.error) return `cannot run (${r.error})`;
  const sps = fmt(r.samplesPerSec, r.samplesPerSec >= 100 ? 0 : r.samplesPerSec >= 1 ? 1 : 2);
  const text = wl.kind === 'predict' ? `${sps}/s (${fmt(r.msPerBatch, 1)} ms/batch)` : `${sps}/s`;
  return r.note ? `${text}*` : text;
}

function machine() {
  const cpus = os.cpus();
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
    } catch {
      return null;
    }
  };
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  } catch {}
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    versions: Object.fromEntries(
      ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'].map((n) => [n, version(n)]),
    ),
    gitCommit: commit,
  };
}

// ---- Main.
if (opts.dry) await dryRun();

const machineInfo = machine();
console.log(`Strata vs tfjs-layers ${machineInfo.versions['@tensorflow/tfjs-layers']} (${size} sizes, peer: ${opts.peer} tfjs registries)`);
console.log(`machine: ${machineInfo.cpu}, ${machineInfo.logicalCores} cores, ${machineInfo.memoryGiB} GiB, ${machineInfo.os}, Node ${machineInfo.node}, load ${machineInfo.loadAverageAtStart.join(' ')}`);
console.log(`one tfjs-core: ${engineCheck.tfjsCore}; wasm backend: ${wasmSource}`);
const s = registries.summary;
console.log(
  `Strata's registrations: kernels +${s.kernelsAdded.length} ~${s.kernelsReplaced.length}, gradients +${s.gradientsAdded.length} (${s.gradientsAdded.join(', ') || 'none'}) ~${s.gradientsReplaced.length} (${s.gradientsReplaced.join(', ') || 'none'})`,
);

const results = [];
for (const backend of backends) {
  try {
    await core.setBackend(backend);
  } catch (e) {
    console.log(`\n[${backend}] cannot initialise: ${firstLine(e)}`);
    results.push({ backend, error: firstLine(e) });
    continue;
  }
  registries.setupStockKernels(backend, engine.findBackend(backend));
  const flags = {};
  if (backend === 'wasm') {
    flags.simd = await tfc.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    flags.threads = await tfc.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  console.log(`\n[${backend}]${backend === 'wasm' ? ` SIMD ${flags.simd}, threads ${flags.threads}` : ''}`);
  for (const wl of workloads) {
    const p = wl[size];
    const samples = wl.kind === 'fit' ? p.batch * p.steps : p.batch;
    const data = syntheticData(wl, p, samples);
    const { strata, peer, tensorsLeft } = await measurePair(wl, p, data);
    tfc.dispose([data.x, data.y].filter(Boolean));
    const ratio = !strata.error && !peer.error ? strata.samplesPerSec / peer.samplesPerSec : null;
    results.push({ backend, backendFlags: flags, workload: wl.id, title: wl.title(p), kind: wl.kind, sizes: p, strata, tfjsLayers: peer, ratio, tensorsLeft });
    console.log(
      `  ${wl.id.padEnd(13)} strata ${cell(strata, wl).padEnd(28)} tfjs-layers ${cell(peer, wl).padEnd(28)} ratio ${ratio === null ? '-' : `${fmt(ratio, 2)}x`}`,
    );
  }
}

// Summary table (markdown, so it can be pasted into RESULTS.md).
console.log('\n| backend | workload | Strata | tfjs-layers 4.22 | Strata/peer |\n| --- | --- | --- | --- | --- |');
for (const r of results) {
  if (r.error) {
    console.log(`| ${r.backend} | all | cannot initialise: ${r.error} | | |`);
    continue;
  }
  const wl = WORKLOADS.find((w) => w.id === r.workload);
  console.log(`| ${r.backend} | ${r.title} | ${cell(r.strata, wl)} | ${cell(r.tfjsLayers, wl)} | ${r.ratio === null ? '-' : `${fmt(r.ratio, 2)}x`} |`);
}

for (const r of results) {
  for (const [side, v] of [['Strata', r.strata], ['tfjs-layers', r.tfjsLayers]]) {
    if (v?.note) console.log(`* ${r.backend} ${r.workload} ${side}: ${v.note}`);
  }
}

const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
const outFile = opts.out ?? join(here, '..', 'results', `${stamp}${opts.quick ? '-quick' : ''}.json`);
mkdirSync(dirname(outFile), { recursive: true });
machineInfo.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
const report = {
  date: new Date().toISOString(),
  sizes: size,
  peerRegistries: opts.peer,
  budgetSecondsPerSide: budgetMs / 1000,
  seeds: { data: DATA_SEED, strataWeights: WEIGHT_SEED },
  machine: machineInfo,
  engine: engineCheck,
  wasmBackend: wasmSource,
  strataRegistrations: registries.summary,
  results,
};
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nreport: ${relative(process.cwd(), outFile)}`);
