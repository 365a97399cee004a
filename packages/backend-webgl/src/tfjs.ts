// Kernel registration on 'webgl' through tfjs-core's registry (shared by every copy of tfjs-core).
import { type KernelConfig, getKernel, getKernelsForBackend, registerKernel as tfRegisterKernel, unregisterKernel } from '@tensorflow/tfjs-core';

export type { KernelConfig };

/**
 * Registers `config`. Without `replace`, a kernel the backend already has wins (a newer tfjs may ship
 * its own); with it, ours replaces the stock one (used for stock kernels with wrong results).
 */
export function registerKernel(config: KernelConfig, replace = false): boolean {
  if (getKernel(config.kernelName, config.backendName) != null) {
    if (!replace) return false;
    unregisterKernel(config.kernelName, config.backendName);
  }
  tfRegisterKernel(config);
  return true;
}

/** The kernel names registered for `backendName`. */
export function kernelsFor(backendName: string): string[] {
  return getKernelsForBackend(backendName).map((k) => k.kernelName);
}
