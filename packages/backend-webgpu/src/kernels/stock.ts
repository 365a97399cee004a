import { type KernelFunc, type TensorInfo, getKernel } from '@tensorflow/tfjs-core';

/** What our kernels receive as `backend`: the parts of tfjs' WebGPU backend they use. */
export interface BackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Attrs = Record<string, unknown>;

/**
 * The stock tfjs-backend-webgpu kernel `name`, captured before ours replaces it, called with
 * backend-level tensor infos (so everything stays on the GPU).
 */
export function stockKernel(name: string): (inputs: Record<string, TensorInfo>, attrs: Attrs, backend: BackendLike) => TensorInfo {
  const config = getKernel(name, 'webgpu');
  if (config == null) throw new Error(`@strata/backend-webgpu: tfjs-backend-webgpu has no '${name}' kernel to build on.`);
  const fn = config.kernelFunc as KernelFunc;
  return (inputs, attrs, backend) => fn({ inputs, attrs, backend: backend as never } as never) as TensorInfo;
}

/** A reshape on the backend (no copy: the result shares the input's GPU buffer). */
export function reshapeInfo(x: TensorInfo, shape: number[], backend: BackendLike): TensorInfo {
  return stockKernel('Reshape')({ x }, { shape }, backend);
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, v) => p * v, 1);
