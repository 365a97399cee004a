import { type KernelConfig, type TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { chunkRows, gemmNT } from './gemm';
import { type CpuKernelArgs, isNHWC, runStock, valuesOf } from './util';

/**
 * `Conv2D` on cpu as im2col + matrix product: each output pixel's receptive field (kh*kw*Ci taps,
 * zeros where it hangs over the padding) becomes one row, and the rows of a chunk are multiplied by
 * the filter seen as a [kh*kw*Ci, Co] matrix. The result rows are the NHWC output directly.
 * Strata's Conv2D filter gradient is itself a Conv2D (see @strata/core's `conv2dFilterGrad`), so
 * this kernel also speeds up that half of the backward pass. NCHW and non-float32 inputs run the
 * stock kernel.
 */
export function conv2D(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const x = inputs.x!;
  const filter = inputs.filter!;
  if (!isNHWC(attrs.dataFormat) || x.dtype !== 'float32' || filter.dtype !== 'float32') return runStock('Conv2D', args);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.dilations as [number, number],
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = valuesOf(backend, x);
  const wv = valuesOf(backend, filter);
  const K = filterHeight * filterWidth * inChannels;
  const M = batchSize * outHeight * outWidth;
  const out = new Float32Array(M * outChannels);
  // The filter as [Co, K]: the matrix product reads it along contiguous rows.
  const wt = new Float32Array(outChannels * K);
  for (let k = 0; k < K; k++) for (let co = 0; co < outChannels; co++) wt[co * K + k] = wv[k * outChannels + co]!;

  const pointwise = filterHeight === 1 && filterWidth === 1 && strideHeight === 1 && strideWidth === 1 && top === 0 && left === 0;
  if (pointwise && outHeight === inHeight && outWidth === inWidth) {
    // A 1x1 stride-1 conv already has its patches as the rows of x.
    gemmNT(xv, 0, wt, out, 0, M, K, outChannels);
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  }
  const rows = chunkRows(K, M);
  const patches = new Float32Array(rows * K);
  const ohw = outHeight * outWidth;
  for (let r0 = 0; r0 < M; r0 += rows) {
    const r1 = Math.min(M, r0 + rows);
    for (let r = r0; r < r1; r++) {
      const b = Math.floor(r / ohw);
      const rem = r - b * ohw;
      const oh = Math.floor(rem / outWidth);
      const ow = rem - oh * outWidth;
      let p = (r - r0) * K;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - top;
        if (ih < 0 || ih >= inHeight) {
          patches.fill(0, p, p + filterWidth * inChannels);
          p += filterWidth * inChannels;
          continue;
        }
        const rowBase = (b * inHeight + ih) * inWidth;
        for (let kw = 0; kw < filterWidth; kw++) {
          const iw = ow * strideWidth + kw * dilationWidth - left;
          if (iw < 0 || iw >= inWidth) {
            patches.fill(0, p, p + inChannels);
          } else {
            const src = (rowBase + iw) * inChannels;
            patches.set(xv.subarray(src, src + inChannels), p);
          }
          p += inChannels;
        }
      }
    }
    gemmNT(patches, 0, wt, out, r0 * outChannels, r1 - r0, K, outChannels);
  }
  return backend.makeTensorInfo(info.outShape, 'float32', out);
}

export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'cpu',
  kernelFunc: conv2D as unknown as KernelConfig['kernelFunc'],
};
