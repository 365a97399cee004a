import { type KernelConfig, registerKernel } from '../tfjs';
import { padV2Config } from './pad-v2';
import { reverseConfig } from './reverse';
import { keepStock } from './stock';

/** The training kernels stock tfjs-backend-webgl 4.22 lacks (none found by the conformance suite). */
export const trainingKernels: KernelConfig[] = [];

/**
 * Replacements of stock tfjs-backend-webgl 4.22 kernels that fail for ranks above 4; they call the
 * stock kernel for ranks up to 4.
 */
export const correctedKernels: KernelConfig[] = [padV2Config, reverseConfig];

/**
 * Registers the kernels above for 'webgl' (the corrected ones replace the stock ones); returns the
 * names that were added or replaced.
 */
export function registerTrainingKernels(): string[] {
  for (const k of correctedKernels) keepStock(k.kernelName, k.kernelFunc);
  const added = trainingKernels.filter((k) => registerKernel(k)).map((k) => k.kernelName);
  const replaced = correctedKernels.filter((k) => registerKernel(k, true)).map((k) => k.kernelName);
  return [...added, ...replaced];
}
