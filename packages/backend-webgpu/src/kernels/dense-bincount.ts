import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Attrs, type BackendLike, sizeOf, stockKernel } from './stock';

/**
 * `DenseBincount` with `binaryOutput`: stock tfjs-backend-webgpu 4.22 returns all zeros for it. The
 * plain counts (which it gets right), taken without weights (binary mode ignores them, as in
 * TensorFlow), are clipped to 1 on the GPU.
 */
function denseBincount(): KernelFunc {
  const stock = stockKernel('DenseBincount');
  const minimum = stockKernel('Minimum');
  const fill = stockKernel('Fill');
  return ({ inputs, attrs, backend }) => {
    const { x, weights } = inputs as { x: TensorInfo; weights: TensorInfo };
    const a = attrs as Attrs & { size: number; binaryOutput?: boolean };
    const b = backend as unknown as BackendLike;
    if (!a.binaryOutput) return stock({ x, weights }, a, b);
    const unweighted = sizeOf(weights.shape) === 0 ? weights : fill({}, { shape: [0], value: 0, dtype: weights.dtype }, b);
    const counts = stock({ x, weights: unweighted }, { ...a, binaryOutput: false }, b);
    const one = fill({}, { shape: [], value: 1, dtype: counts.dtype }, b);
    const out = minimum({ a: counts, b: one }, {}, b);
    for (const t of [counts, one, ...(unweighted === weights ? [] : [unweighted])]) b.disposeData(t.dataId);
    return out;
  };
}

export const denseBincountConfig = (): KernelConfig => ({ kernelName: 'DenseBincount', backendName: 'webgpu', kernelFunc: denseBincount() });
