// The backend conformance suite run for 'webgpu' in headless Chromium (WebGPU on SwiftShader's
// Vulkan adapter): each case's forward output, input gradients and weight gradients on webgpu equal
// the cpu backend's.
//
// runConformance reads with `await data()`: in Chromium tfjs-backend-webgpu implements synchronous
// reads by drawing to an OffscreenCanvas, and on SwiftShader that returns zeros.
import { getBackend, setBackend } from '@strata/core';
import * as L from '@strata/layers';
import { type ConformanceCase, describeConformance, layerConformanceCases } from '@strata/test-utils/browser';
import { afterAll, expect, it } from 'vitest';
import { webgpuAdapterInfo } from './index';

/**
 * float32 on the GPU, summed in another order than cpu (tiled matmuls, parallel reductions):
 * atol 1e-4, rtol 1e-3, the suite's default. No case needs a looser one.
 */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** Every exported trainable or differentiable layer, with its main option variants (about a minute here). */
const cases: ConformanceCase[] = layerConformanceCases(L);

afterAll(async () => setBackend('cpu'));

it('webgpu starts on the browser adapter', async () => {
  await setBackend('webgpu');
  expect(getBackend()).toBe('webgpu');
  const info = webgpuAdapterInfo();
  expect(info).not.toBeNull();
  expect(info!.source).toBe('navigator.gpu');
  await setBackend('cpu');
});

describeConformance('backend conformance: webgpu vs cpu (Chromium)', 'webgpu', cases, { tolerance: TOLERANCE });
