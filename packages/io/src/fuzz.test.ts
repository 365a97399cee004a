import { readFileSync } from 'node:fs';
import { memory } from '@strata/core';
import { clearSession } from '@strata/layers';
import { fixturePath } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { loadModel } from './api';
import { IoError } from './errors';

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


// Every mutated load either succeeds or throws the typed error (IoError or its subclass
// FormatError), leaks no tensors, and memory stays bounded.
describe('fuzzing the fixture files', () => {
  const RUNS = 500;

  // HDF5 files are not fuzzed yet: some corrupt inputs make the HDF5 library abort, after which it
  // no longer answers (see the io notes); the archive reader is fuzzed here.
  for (const file of ['model.keras']) {
    it(`${RUNS} mutations of mlp/${file}: loadModel succeeds or throws IoError`, async () => {
      clearSession();
      const original = new Uint8Array(readFileSync(fixturePath('mlp', file)));
      const rnd = lcg(file.length * 7919);
      const rssBefore = process.memoryUsage().rss;
      const tensorsBefore = memory().numTensors;
      let loaded = 0;
      for (let i = 0; i < RUNS; i++) {
        try {
          const model = await loadModel(mutate(original, rnd), { compile: false });
          for (const w of model.weights) w.dispose();
          loaded++;
        } catch (e) {
          if (!(e instanceof IoError)) throw new Error(`run ${i}: ${file} threw ${String(e)}`);
        }
      }
      expect(memory().numTensors).toBe(tensorsBefore);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
      // Some mutations hit bytes that do not matter (padding, timestamps); most are caught.
      expect(loaded).toBeLessThan(RUNS);
    }, 180_000);
  }

});
