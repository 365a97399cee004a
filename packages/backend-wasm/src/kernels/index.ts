import { type KernelConfig, registerKernel } from '../tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input';
import { einsumConfig } from './einsum';
import { fusedBatchNormConfig } from './fused-batch-norm';
import { maxPoolGradConfig } from './max-pool-grad';
import { maxPool3DGradConfig } from './max-pool3d-grad';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** The training kernels stock tfjs-backend-wasm 4.22 lacks, all built from kernels it has. */
export const trainingKernels: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  einsumConfig,
];

/**
 * Replacements of stock tfjs-backend-wasm 4.22 kernels: ones that give wrong results (the max-pool
 * gradients) and a faster one (FusedBatchNorm).
 */
export const correctedKernels: KernelConfig[] = [maxPoolGradConfig, maxPool3DGradConfig, fusedBatchNormConfig];

/**
 * Registers the kernels above for 'wasm' (the corrected ones replace the stock ones); returns the
 * names that were added or replaced.
 */
export function registerTrainingKernels(): string[] {
  const added = trainingKernels.filter((k) => registerKernel(k)).map((k) => k.kernelName);
  const replaced = correctedKernels.filter((k) => registerKernel(k, true)).map((k) => k.kernelName);
  return [...added, ...replaced];
}
