// The backend conformance suite run for 'webgpu' (Dawn in Node: Mesa llvmpipe through OpenGL ES on a
// machine without a GPU, Vulkan on one with a GPU): every case's forward output, input gradients and
// weight gradients on webgpu equal the cpu backend's. runConformance reads with `await data()`, which
// WebGPU in Node needs (its buffers map only asynchronously).
import { setBackend } from '@strata/core';
import * as L from '@strata/layers';
import { type ConformanceCase, type ConformanceResult, assertConformance, differingConformanceCase, layerConformanceCases, runConformance } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuAdapterInfo } from './index';

/** Every exported trainable or differentiable layer, with its main option variants. */
const cases: ConformanceCase[] = layerConformanceCases(L);

/**
 * float32 on the GPU sums in another order than the cpu backend (tiled matmuls, parallel
 * reductions); llvmpipe also flushes denormals and uses fused multiply-adds. atol 1e-4, rtol 1e-3,
 * the suite's default: no case needs a looser one.
 */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

describe('backend conformance: webgpu vs cpu', () => {
  let results: ConformanceResult[] = [];
  beforeAll(async () => {
    results = await runConformance('webgpu', cases, { tolerance: TOLERANCE });
  }, 600_000);
  afterAll(async () => setBackend('cpu'));

  it('ran every case, on a WebGPU adapter it reports', () => {
    expect(results.map((r) => r.name)).toEqual(cases.map((c) => c.name));
    const info = webgpuAdapterInfo();
    expect(info).not.toBeNull();
    expect(`${info!.device}${info!.description}`.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => c.name))('%s: forward, input gradients and weight gradients match cpu', (name) => {
    const r = results.find((x) => x.name === name)!;
    // A missing webgpu kernel shows up here as "Kernel 'X' not registered for backend 'webgpu'".
    expect(r.error ?? null, name).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.forward).not.toBeNull();
  });

  it('the comparison notices a backend that computes something else', async () => {
    const [r] = await runConformance('webgpu', [differingConformanceCase(L)]);
    expect(r!.ok).toBe(false);
    expect(r!.error).toMatch(/^output\[0\] at \d+: got/);
    expect(() => assertConformance('webgpu', [r!])).toThrow(/1 of 1 layer case/);
  });
});
