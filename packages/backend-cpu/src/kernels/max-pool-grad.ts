import { type KernelConfig, type TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { type CpuKernelArgs, runStock, valuesOf } from './util';

/**
 * `MaxPoolGrad` on cpu, directly: one pass over the windows finds each window's winning input
 * position (the first strict maximum in row-major order, as the stock kernel's `maxPoolPositions`
 * picks it; windows with no finite winner, e.g. all NaN, pass no gradient) and adds the output
 * gradient there. The stock kernel instead visits every input position and, for each, every
 * window that might cover it, recomputing positions through generic buffers (O(input * window)).
 * Channels are the innermost loop, so the input is read in memory order.
 */
export function maxPoolGrad(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const dy = inputs.dy!;
  const x = inputs.input!;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return runStock('MaxPoolGrad', args);
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
  );
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = valuesOf(backend, x);
  const dyv = valuesOf(backend, dy);
  // Overlapping windows can send several gradients to one input: sum those in float64.
  const overlap = strideHeight < fh || strideWidth < fw;
  const dx = overlap ? new Float64Array(xv.length) : new Float32Array(xv.length);
  const best = new Float64Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + fh);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + fw);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let ih = hStart; ih < hEnd; ih++) {
          for (let iw = wStart; iw < wEnd; iw++) {
            const base = ((b * inHeight + ih) * inWidth + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const g = ((b * outHeight + oh) * outWidth + ow) * C;
        for (let c = 0; c < C; c++) {
          const at = where[c]!;
          if (at >= 0) dx[at] += dyv[g + c]!;
        }
      }
    }
  }
  return backend.makeTensorInfo(x.shape, 'float32', dx instanceof Float64Array ? Float32Array.from(dx) : dx);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'cpu',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
