import * as tfc from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul';
import { conv2DConfig } from './conv2d';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './max-pool-grad';
import { sumConfig } from './sum';
import { transposeConfig } from './transpose';
import { stockKernels } from './util';

/**
 * The faster replacements, each measured to be clearly faster than the stock kernel on the training
 * step of a small CNN (see README). Dedicated Relu and Step loops were measured too and were not
 * clearly faster than the stock kernels, so they are left stock.
 */
export const fastKernels: readonly tfc.KernelConfig[] = [
  conv2DConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  transposeConfig,
  sumConfig,
  batchMatMulConfig,
];

function install(config: tfc.KernelConfig): void {
  if (tfc.getKernel(config.kernelName, 'cpu') != null) tfc.unregisterKernel(config.kernelName, 'cpu');
  tfc.registerKernel(config);
}

/**
 * Registers the fast kernels for 'cpu' (remembering the stock ones, which handle the cases the fast
 * kernels leave to them); returns the names replaced. Runs when the package is imported; calling it
 * again after `useStockKernels()` switches back. Takes effect on the next kernel call.
 */
export function useFastKernels(): string[] {
  for (const config of fastKernels) {
    const current = tfc.getKernel(config.kernelName, 'cpu');
    if (current != null && current !== config && !stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, current);
    install(config);
  }
  return fastKernels.map((k) => k.kernelName);
}

/** Puts tfjs-backend-cpu's own kernels back (for comparisons and benchmarks); returns their names. */
export function useStockKernels(): string[] {
  const restored: string[] = [];
  for (const [name, config] of stockKernels) {
    install(config);
    restored.push(name);
  }
  return restored;
}

/** Whether the 'cpu' kernel registered for `kernelName` now is this package's. */
export function isFastKernelActive(kernelName: string): boolean {
  const current = tfc.getKernel(kernelName, 'cpu');
  return current != null && fastKernels.includes(current);
}
