import { type KernelConfig, type KernelFunc, type Tensor, type TensorInfo, reshape, reverse as tfReverse, tidy, util } from '@tensorflow/tfjs-core';
import { sizeOf, stockKernel } from './stock';

/**
 * `Reverse` on webgl for every rank: the stock programs stop at rank 4 ("Reverse of rank-5 tensor
 * is not yet supported"), which Conv3DTranspose (flipped 3-D filters) needs. Higher ranks reverse
 * one axis at a time as a rank-3 reverse of [axes before, axis, axes after] between reshapes.
 */
export const reverse: KernelFunc = (args) => {
  const x = (args.inputs as { x: Tensor }).x;
  if (x.rank <= 4) return stockKernel('Reverse')(args);
  const dims = util.parseAxisParam((args.attrs as { dims: number | number[] }).dims, x.shape);
  return tidy(() => {
    let y: Tensor = x;
    for (const axis of [...new Set(dims)]) {
      const shape = y.shape;
      if (shape[axis]! <= 1) continue;
      y = reshape(tfReverse(reshape(y, [sizeOf(shape, 0, axis), shape[axis]!, sizeOf(shape, axis + 1)]), 1), shape);
    }
    return y === x ? reshape(x, x.shape) : y;
  }) as TensorInfo;
};

export const reverseConfig: KernelConfig = { kernelName: 'Reverse', backendName: 'webgl', kernelFunc: reverse };
