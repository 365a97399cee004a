// The wasm backend in a browser bundle (Vite): the `.wasm` files come from `?url` imports, the page
// is cross-origin isolated (see vitest.browser.config.ts), and every conformance case trains there.
import * as L from '@strata/layers';
import { getBackend, memory, ops, setBackend, tensor } from '@strata/core';
import { assertConformance, layerConformanceCases, runConformance } from '@strata/test-utils/browser';
import { engine } from '@tensorflow/tfjs-core';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { afterAll, describe, expect, it } from 'vitest';
import { addedKernels, getThreadsCount, setWasmPaths, wasmDirectory } from './index';

describe('wasm in the browser', () => {
  afterAll(async () => setBackend('cpu'));

  it('loads its binaries from the bundle and picks the threaded SIMD build when cross-origin isolated', async () => {
    expect(wasmDirectory).toBeNull(); // no Node path outside Node
    setWasmPaths({ 'tfjs-backend-wasm.wasm': plain, 'tfjs-backend-wasm-simd.wasm': simd, 'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd });
    await setBackend('wasm');
    expect(getBackend()).toBe('wasm');
    expect(globalThis.crossOriginIsolated).toBe(true);
    // Emscripten's pthread runtime is only in the threaded build.
    const module = (engine().findBackend('wasm') as unknown as { wasm: object }).wasm;
    expect('PThread' in module).toBe(true);
    expect(getThreadsCount()).toBeGreaterThanOrEqual(1);
    const before = memory().numTensors;
    const a = tensor([[1, 2], [3, 4]]);
    const y = ops.matmul(a, a);
    expect(Array.from(await y.data())).toEqual([7, 10, 15, 22]);
    a.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
    expect(addedKernels).toContain('Conv2DBackpropFilter');
  });

  it('every conformance case matches cpu (forward, input and weight gradients)', async () => {
    const results = await runConformance('wasm', layerConformanceCases(L));
    assertConformance('wasm', results);
    expect(results.length).toBeGreaterThan(100);
  }, 180_000);
});
