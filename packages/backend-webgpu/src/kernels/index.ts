import type { KernelConfig } from '@tensorflow/tfjs-core';
import { binaryRank5Configs } from './binary-rank5';
import { castConfig } from './cast';
import { denseBincountConfig } from './dense-bincount';
import { mirrorPadConfig, padV2Config } from './pad';
import { registerKernelConfig } from './registry';
import { reverseConfig } from './reverse';

/**
 * The training kernels stock tfjs-backend-webgpu 4.22 lacks. None so far: the conformance suite found
 * every kernel the layer catalogue needs registered (Einsum's gradient comes from @strata/core).
 */
export const trainingKernels: KernelConfig[] = [];

/**
 * Replacements of stock tfjs-backend-webgpu 4.22 kernels that give wrong results. Each is built
 * from the stock kernels (captured when this list is made), so it must be made after
 * tfjs-backend-webgpu registered its kernels.
 */
export const correctedKernels: KernelConfig[] = [
  castConfig(),
  padV2Config(),
  mirrorPadConfig(),
  reverseConfig(),
  denseBincountConfig(),
  ...binaryRank5Configs(),
];

/**
 * Registers the kernels above for 'webgpu' (the corrected ones replace the stock ones); returns the
 * names that were added or replaced.
 */
export function registerTrainingKernels(): string[] {
  const added = trainingKernels.filter((k) => registerKernelConfig(k)).map((k) => k.kernelName);
  const replaced = correctedKernels.filter((k) => registerKernelConfig(k, true)).map((k) => k.kernelName);
  return [...added, ...replaced];
}
