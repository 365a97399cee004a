import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** What tfjs passes a cpu kernel. */
export interface CpuKernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** The values a cpu backend tensor holds (its backing typed array, not a copy). */
export function valuesOf(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** The stock tfjs-backend-cpu kernels this package replaced, by kernel name (filled at registration). */
export const stockKernels = new Map<string, KernelConfig>();

/** Runs the stock kernel: used for the cases a fast kernel does not cover (NCHW, non-float dtypes). */
export function runStock(kernelName: string, args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const stock = stockKernels.get(kernelName);
  if (stock == null) throw new Error(`@strata/backend-cpu: no stock '${kernelName}' kernel to fall back to.`);
  return stock.kernelFunc(args as never);
}

export const isNHWC = (dataFormat: unknown): boolean => dataFormat == null || dataFormat === 'NHWC' || dataFormat === 'channelsLast';
