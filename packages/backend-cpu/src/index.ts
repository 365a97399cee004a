// Importing this package makes 'cpu' train faster: tfjs-backend-cpu (registered by @strata/core)
// with plain-JS replacements of its slowest training kernels (Conv2D, Conv2DBackpropInput,
// MaxPoolGrad, BatchMatMul, Transpose, and Sum over leading axes). Results equal the stock
// kernels' within float32 rounding; the cases a fast kernel does not cover run the stock one.
import '@strata/core';
import '@tensorflow/tfjs-backend-cpu';
import { useFastKernels } from './kernels/index';

/** The 'cpu' kernels this package replaced. */
export const replacedKernels: readonly string[] = useFastKernels();

export { fastKernels, useFastKernels, useStockKernels, isFastKernelActive } from './kernels/index';
export { conv2D } from './kernels/conv2d';
export { conv2DBackpropInput } from './kernels/conv2d-backprop-input';
export { maxPoolGrad } from './kernels/max-pool-grad';
export { transpose } from './kernels/transpose';
export { sum } from './kernels/sum';
export { batchMatMul } from './kernels/batch-mat-mul';
export { gemmNT } from './kernels/gemm';
