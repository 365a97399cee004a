import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { memory } from '@strata/core';
import { clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { fixturePath } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, loadWeights } from './api';
import { FormatError, IoError } from './errors';
import { h5WorkerRestarts, setH5TimeLimit } from './h5/h5-worker';
import { writeTfjsModel } from './tfjs';
import { modelFromFixture } from './weights/test-helpers';

/** Seeded LCG so every run mutates the same bytes. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Overwrites 1-8 random bytes, or truncates the file, or both. */
function mutate(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const length = rnd() < 0.15 ? Math.floor(rnd() * bytes.length) : bytes.length;
  const out = bytes.slice(0, length);
  const n = 1 + Math.floor(rnd() * 8);
  for (let k = 0; k < n && out.length > 0; k++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
  return out;
}

/** This process's HDF5 scratch files (other test processes on the machine make their own). */
function scratchFiles(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith(`strata-h5-${process.pid}-`) && f.endsWith('.h5'));
}

function disposeModel(model: Model): void {
  for (const w of model.weights) w.dispose();
}

/** One fuzzed format: how to load a mutated copy of its bytes. */
interface Target {
  name: string;
  runs: number;
  bytes: () => Promise<Uint8Array>;
  load: (bytes: Uint8Array) => Promise<void>;
}

/** A single load longer than this means libhdf5 (or a parser) is looping: fail instead of waiting. */
const MAX_LOAD_MS = 15_000;

const targets: Target[] = [
  {
    name: 'mlp/model.keras (loadModel)',
    runs: 600,
    bytes: async () => new Uint8Array(readFileSync(fixturePath('mlp', 'model.keras'))),
    load: async (b) => disposeModel(await loadModel(b, { compile: false })),
  },
  {
    name: 'mlp/model.h5 (loadModel)',
    runs: 600,
    bytes: async () => new Uint8Array(readFileSync(fixturePath('mlp', 'model.h5'))),
    load: async (b) => disposeModel(await loadModel(b, { compile: false })),
  },
  {
    name: 'mlp/model.weights.h5 (loadWeights into the fixture model)',
    runs: 600,
    bytes: async () => new Uint8Array(readFileSync(fixturePath('mlp', 'model.weights.h5'))),
    load: async (b) => {
      const model = modelFromFixture('mlp');
      try {
        await loadWeights(model, b);
      } finally {
        disposeModel(model);
      }
    },
  },
  {
    name: 'mlp/model.legacy_weights.h5 (loadWeights into the fixture model)',
    runs: 600,
    bytes: async () => new Uint8Array(readFileSync(fixturePath('mlp', 'model.legacy_weights.h5'))),
    load: async (b) => {
      const model = modelFromFixture('mlp');
      try {
        await loadWeights(model, b);
      } finally {
        disposeModel(model);
      }
    },
  },
];

// Every mutated load either succeeds or throws the typed error (IoError or its subclass
// FormatError), leaks no tensors, leaves no scratch files, and memory stays bounded. libhdf5
// aborts, traps, allocates without bound or loops forever on some of the HDF5 mutations
// (src/h5/h5wasm.ts, src/h5/h5-worker.ts): those must come back as FormatError too, with the next
// load working on a fresh library instance. A short time limit keeps the loops cheap here.
const FUZZ_TIME_LIMIT_MS = 3_000;

describe('fuzzing the fixture files', () => {
  beforeAll(() => setH5TimeLimit({ baseMs: FUZZ_TIME_LIMIT_MS }));
  afterAll(() => setH5TimeLimit());

  it('the mutation of model.h5 that sends libhdf5 into an endless loop is a FormatError within the time limit; the next load works', async () => {
    // Run 513 of lcg(3) in this scheme: six bytes changed, the file opens, then a B-tree walk never ends.
    const original = new Uint8Array(readFileSync(fixturePath('mlp', 'model.h5')));
    const rnd = lcg(3);
    let bytes: Uint8Array = original;
    for (let i = 0; i <= 513; i++) bytes = mutate(original, rnd);
    const restarts = h5WorkerRestarts();
    const tensorsBefore = memory().numTensors;
    const t0 = Date.now();
    const err = await loadModel(bytes, { compile: false }).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toBe(`<memory>: the HDF5 library did not finish parsing it in ${FUZZ_TIME_LIMIT_MS / 1000} s; the file is corrupt`);
    expect(ms).toBeGreaterThanOrEqual(FUZZ_TIME_LIMIT_MS - 50);
    expect(ms).toBeLessThan(FUZZ_TIME_LIMIT_MS + 5_000);
    expect(h5WorkerRestarts()).toBe(restarts + 1);
    expect(memory().numTensors).toBe(tensorsBefore);
    disposeModel(await loadModel(original, { compile: false }));
  }, 60_000);

  for (const target of targets) {
    it(`${target.runs} mutations of ${target.name}: success or IoError`, async () => {
      clearSession();
      const original = await target.bytes();
      const rnd = lcg(target.name.length * 7919);
      const rssBefore = process.memoryUsage().rss;
      const scratchBefore = new Set(scratchFiles());
      let loaded = 0;
      const leaks: string[] = [];
      for (let i = 0; i < target.runs; i++) {
        const bytes = mutate(original, rnd);
        const t0 = Date.now();
        const tensorsBefore = memory().numTensors;
        let error: IoError | null = null;
        try {
          await target.load(bytes);
          loaded++;
        } catch (e) {
          if (!(e instanceof IoError)) throw new Error(`run ${i}: ${target.name} threw ${String(e)}`);
          expect(e.message.length).toBeGreaterThan(0);
          error = e;
        }
        const ms = Date.now() - t0;
        if (ms > MAX_LOAD_MS) throw new Error(`run ${i}: loading ${target.name} took ${ms} ms (a hang in the parser?)`);
        const leaked = memory().numTensors - tensorsBefore;
        if (leaked !== 0) {
          leaks.push(`run ${i}: ${leaked} tensors (${error?.message ?? 'loaded'})`);
        }
      }
      expect(leaks).toEqual([]);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
      expect(scratchFiles().filter((f) => !scratchBefore.has(f))).toEqual([]);
      // Some mutations hit bytes that do not matter (padding, timestamps); most are caught.
      expect(loaded).toBeLessThan(target.runs);
      // The original still loads after all the crashes.
      await target.load(original);
    }, 170_000);
  }

  it('600 mutations of a TF.js model.json + weight shard written from the mlp fixture: success or IoError', async () => {
    clearSession();
    const model = modelFromFixture('mlp');
    const { modelJson, weightData } = await writeTfjsModel(model);
    disposeModel(model);
    const json = new TextEncoder().encode(JSON.stringify(modelJson));
    const shard = weightData[0]!;
    const rnd = lcg(4242);
    let loaded = 0;
    const runs = 600;
    const leaks: string[] = [];
    for (let i = 0; i < runs; i++) {
      // Mutate the JSON or the shard (or both).
      const pick = rnd();
      const j = pick < 0.6 ? mutate(json, rnd) : json;
      const s = pick >= 0.4 ? mutate(shard, rnd) : shard;
      const tensorsBefore = memory().numTensors;
      let error: IoError | null = null;
      try {
        const text = new TextDecoder().decode(j);
        const m = await loadModel({ modelJson: text, weightData: [s] }, { compile: false });
        disposeModel(m);
        loaded++;
      } catch (e) {
        if (!(e instanceof IoError)) throw new Error(`run ${i}: TF.js model threw ${String(e)}`);
        error = e;
      }
      const leaked = memory().numTensors - tensorsBefore;
      if (leaked !== 0) {
        leaks.push(`run ${i}: ${leaked} tensors (${error?.message ?? 'loaded'})`);
      }
    }
    expect(leaks).toEqual([]);
    expect(loaded).toBeLessThan(runs);
  }, 120_000);
});
