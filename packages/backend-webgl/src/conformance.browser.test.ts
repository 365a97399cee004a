// The backend conformance suite run for 'webgl' in headless Chromium (SwiftShader): each case's
// forward output, input gradients and weight gradients on webgl equal the cpu backend's.
//
// SwiftShader compiles every new shader on the CPU (about 3 minutes for all cases on an idle 2-core
// machine). Every case runs by default; VITE_STRATA_QUICK_CONFORMANCE=1 keeps one case per kernel
// family, including every case that needs this package's corrected kernels, for quick local runs.
import * as L from '@strata/layers';
import { type ConformanceCase, describeConformance, layerConformanceCases } from '@strata/test-utils/browser';
import { expect, it } from 'vitest';
import './index';

/**
 * WebGL computes in float32 here (SwiftShader renders float32 textures) but sums in another order
 * and uses the GPU's exp/log/tanh: atol 1e-4, rtol 1e-3, the suite's default (as for wasm). Every
 * case passes at this tolerance; none needs a looser one.
 */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** The default selection: the families of the catalogue, and every case that hit a broken stock kernel. */
const QUICK = new Set([
  'Dense',
  'EinsumDense abc,cde->abde',
  'Embedding (repeated ids)',
  'Conv2D same stride 2',
  'DepthwiseConv2D dilation 2', // rank-6 PadV2 (SpaceToBatchND's gradient)
  'Conv3D', // rank-5 PadV2
  'Conv3DTranspose', // rank-5 Reverse
  'ZeroPadding3D', // rank-5 PadV2
  'SeparableConv2D',
  'LSTM',
  'BatchNormalization (training)',
  'MaxPooling2D',
  'Softmax',
  'Concatenate',
]);

const full = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_STRATA_QUICK_CONFORMANCE !== '1';
const all: ConformanceCase[] = layerConformanceCases(L);
export const webglCases: ConformanceCase[] = full ? all : all.filter((c) => QUICK.has(c.name));

it('the quick selection names existing cases', () => {
  const names = new Set(all.map((c) => c.name));
  expect([...QUICK].filter((n) => !names.has(n))).toEqual([]);
});

// A broken stock kernel shows up as "Failed to compile fragment shader." or "... not supported".
describeConformance(`backend conformance: webgl vs cpu (Chromium, ${full ? 'all' : 'quick'} cases)`, 'webgl', webglCases, { tolerance: TOLERANCE });
