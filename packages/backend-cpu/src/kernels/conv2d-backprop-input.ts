import { type KernelConfig, type TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { chunkRows, gemmNT } from './gemm';
import { type CpuKernelArgs, isNHWC, runStock, valuesOf } from './util';

/**
 * `Conv2DBackpropInput` (the input gradient of Conv2D, and conv2dTranspose) on cpu as a matrix
 * product followed by col2im: every dy pixel times the filter seen as [kh*kw*Ci, Co] (HWIO already
 * is that matrix, rows contiguous) gives the kh*kw*Ci contributions of that pixel, which are added
 * into the input positions its receptive field covers. Sums are kept in float64 and rounded once.
 * NCHW and non-float32 inputs run the stock kernel.
 */
export function conv2DBackpropInput(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const dy = inputs.dy!;
  const filter = inputs.filter!;
  if (!isNHWC(attrs.dataFormat) || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return runStock('Conv2DBackpropInput', args);
  }
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dyv = valuesOf(backend, dy);
  const wv = valuesOf(backend, filter);
  const N = filterHeight * filterWidth * inChannels;
  const M = batchSize * outHeight * outWidth;
  const dx = new Float64Array(batchSize * inHeight * inWidth * inChannels);
  const rows = chunkRows(N, M);
  const cols = new Float32Array(rows * N);
  const ohw = outHeight * outWidth;
  for (let r0 = 0; r0 < M; r0 += rows) {
    const r1 = Math.min(M, r0 + rows);
    gemmNT(dyv, r0 * outChannels, wv, cols, 0, r1 - r0, outChannels, N);
    for (let r = r0; r < r1; r++) {
      const b = Math.floor(r / ohw);
      const rem = r - b * ohw;
      const oh = Math.floor(rem / outWidth);
      const ow = rem - oh * outWidth;
      const c = (r - r0) * N;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh - top;
        if (ih < 0 || ih >= inHeight) continue;
        const rowBase = (b * inHeight + ih) * inWidth;
        for (let kw = 0; kw < filterWidth; kw++) {
          const iw = ow * strideWidth + kw - left;
          if (iw < 0 || iw >= inWidth) continue;
          const dst = (rowBase + iw) * inChannels;
          const src = c + (kh * filterWidth + kw) * inChannels;
          for (let ci = 0; ci < inChannels; ci++) dx[dst + ci] += cols[src + ci]!;
        }
      }
    }
  }
  return backend.makeTensorInfo(info.inShape, 'float32', Float32Array.from(dx));
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'cpu',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
