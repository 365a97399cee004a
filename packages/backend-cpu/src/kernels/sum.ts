import { type KernelConfig, type TensorInfo, backend_util, util } from '@tensorflow/tfjs-core';
import { type CpuKernelArgs, runStock, valuesOf } from './util';

/**
 * `Sum` on cpu for the reduction every bias gradient does: float32 summed over leading axes (e.g.
 * [B, H, W, C] -> [C]). The stock kernel first transposes the reduced axes to the end (a full
 * copy through generic index arithmetic) and then sums; this adds the rows in place, in memory
 * order, into float64 accumulators (the stock kernel also sums in float64). Every other reduction
 * (inner axes, mixed axes, integer and bool inputs) runs the stock kernel.
 */
export function sum(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length < 2) return runStock('Sum', args);
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const leading = sorted.length < x.shape.length && sorted.every((a, i) => a === i);
  if (!leading) return runStock('Sum', args);
  const inner = util.sizeFromShape(x.shape.slice(sorted.length));
  const rows = util.sizeFromShape(x.shape.slice(0, sorted.length));
  const xv = valuesOf(backend, x);
  const acc = new Float64Array(inner);
  for (let r = 0, o = 0; r < rows; r++, o += inner) for (let j = 0; j < inner; j++) acc[j] += xv[o + j]!;
  const outShape = attrs.keepDims
    ? backend_util.expandShapeToKeepDim(x.shape.slice(sorted.length), sorted)
    : x.shape.slice(sorted.length);
  return backend.makeTensorInfo(outShape, 'float32', Float32Array.from(acc));
}

export const sumConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: 'cpu',
  kernelFunc: sum as unknown as KernelConfig['kernelFunc'],
};
