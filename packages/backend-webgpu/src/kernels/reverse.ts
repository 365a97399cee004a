import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Attrs, type BackendLike, reshapeInfo, sizeOf, stockKernel } from './stock';

/**
 * `Reverse` for every rank. Stock tfjs-backend-webgpu 4.22 views the input as rank 4 and fails on
 * rank 5+ ("Size(n) must match the product of shape ..."), which Conv3DTranspose's flipped kernel
 * needs. Here each reversed axis is flipped on its own, with the axes before and after it folded
 * (a rank-3 stock reverse).
 */
function reverse(): KernelFunc {
  const stock = stockKernel('Reverse');
  return ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const a = attrs as Attrs & { dims: number | number[] };
    const b = backend as unknown as BackendLike;
    const rank = x.shape.length;
    if (rank <= 4) return stock({ x }, a, b);
    const axes = [...new Set((Array.isArray(a.dims) ? a.dims : [a.dims]).map((d) => (d < 0 ? d + rank : d)))].sort();
    const shape = [...x.shape];
    let cur = x;
    for (const axis of axes.length > 0 ? axes : [0]) {
      const folded = reshapeInfo(cur, [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))], b);
      // No axis at all: reverse nothing, through the stock kernel (tfjs returns a new tensor).
      const flipped = stock({ x: folded }, { dims: axes.length > 0 ? [1] : [] }, b);
      b.disposeData(folded.dataId);
      const next = reshapeInfo(flipped, shape, b);
      b.disposeData(flipped.dataId);
      if (cur !== x) b.disposeData(cur.dataId);
      cur = next;
    }
    return cur;
  };
}

export const reverseConfig = (): KernelConfig => ({ kernelName: 'Reverse', backendName: 'webgpu', kernelFunc: reverse() });
