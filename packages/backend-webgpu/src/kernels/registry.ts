import { type KernelConfig, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

/**
 * Registers `config`. Without `replace`, a kernel the backend already has wins (a newer
 * tfjs-backend-webgpu may ship its own); with it, ours replaces the stock one.
 */
export function registerKernelConfig(config: KernelConfig, replace = false): boolean {
  const existing = getKernel(config.kernelName, config.backendName);
  if (existing != null) {
    if (!replace || existing.kernelFunc === config.kernelFunc) return false;
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
  return true;
}
