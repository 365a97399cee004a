// The backend conformance suite run for 'wasm': every case's forward output, input gradients and
// weight gradients on wasm equal the cpu backend's.
import * as L from '@strata/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceCase, type ConformanceResult, assertConformance, differingConformanceCase, layerConformanceCases, runConformance } from '@strata/test-utils';
import './index';
import { setBackend } from '@strata/core';

/** Every exported trainable or differentiable layer, with its main option variants. */
export const wasmCases: ConformanceCase[] = layerConformanceCases(L);

describe('backend conformance: wasm vs cpu', () => {
  let results: ConformanceResult[] = [];
  beforeAll(async () => {
    results = await runConformance('wasm', wasmCases);
  }, 180_000);
  afterAll(async () => setBackend('cpu'));

  it('ran every case', () => {
    expect(results.map((r) => r.name)).toEqual(wasmCases.map((c) => c.name));
  });

  it.each(wasmCases.map((c) => c.name))('%s: forward, input gradients and weight gradients match cpu', (name) => {
    const r = results.find((x) => x.name === name)!;
    // A missing wasm kernel shows up here as "Kernel 'X' not registered for backend 'wasm'".
    expect(r.error ?? null, name).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.forward).not.toBeNull();
  });

  it('assertConformance lists failing cases and passes clean results', () => {
    expect(() => assertConformance('wasm', results)).not.toThrow();
    const broken: ConformanceResult[] = [{ name: 'X', ok: false, forward: null, inputGrad: null, weightGrad: null, error: 'boom' }];
    expect(() => assertConformance('wasm', broken)).toThrow(/1 of 1 layer case\(s\) differ between 'wasm'.*\n {2}X: boom/s);
  });
});

describe('runConformance catches a backend that differs', () => {
  afterAll(async () => setBackend('cpu'));

  it('reports a forward mismatch when the target backend computes something else', async () => {
    // The "target" is cpu too, but the layer behaves differently there: the check must notice.
    const [r] = await runConformance('cpu', [differingConformanceCase(L)]);
    expect(r!.ok).toBe(false);
    expect(r!.error).toMatch(/^output\[0\] at \d+: got/);
  });
});
