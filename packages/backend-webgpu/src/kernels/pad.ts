import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Attrs, type BackendLike, reshapeInfo, sizeOf, stockKernel } from './stock';

type Paddings = Array<[number, number]>;

/**
 * Pads a tensor of any rank with the stock rank-3 kernel, one axis at a time: the axes before and
 * after the padded one are folded into one each, so stock tfjs-backend-webgpu 4.22, whose `PadV2`
 * and `MirrorPad` shaders index rank-5/6 tensors wrongly (values land at wrong offsets, the rest
 * stays 0), only ever sees rank 3.
 */
function padByAxis(kernel: 'PadV2' | 'MirrorPad'): KernelFunc {
  const stock = stockKernel(kernel);
  return ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const a = attrs as Attrs & { paddings: Paddings };
    const b = backend as unknown as BackendLike;
    if (x.shape.length <= 4) return stock({ x }, a, b);
    let cur = x;
    let shape = [...x.shape];
    const rest = { ...a };
    for (let axis = 0; axis < shape.length; axis++) {
      const [lo, hi] = a.paddings[axis] ?? [0, 0];
      if (lo === 0 && hi === 0) continue;
      const folded = reshapeInfo(cur, [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))], b);
      const padded = stock({ x: folded }, { ...rest, paddings: [[0, 0], [lo, hi], [0, 0]] }, b);
      b.disposeData(folded.dataId);
      shape = shape.map((d, i) => (i === axis ? d + lo + hi : d));
      const next = reshapeInfo(padded, shape, b);
      b.disposeData(padded.dataId);
      if (cur !== x) b.disposeData(cur.dataId);
      cur = next;
    }
    // No padding at all: a copy through the stock kernel at rank 3, as tfjs returns a new tensor.
    if (cur === x) {
      const folded = reshapeInfo(x, [1, sizeOf(shape), 1], b);
      const copy = stock({ x: folded }, { ...rest, paddings: [[0, 0], [0, 0], [0, 0]] }, b);
      b.disposeData(folded.dataId);
      cur = reshapeInfo(copy, shape, b);
      b.disposeData(copy.dataId);
    }
    return cur;
  };
}

/** `PadV2` for every rank (the gradient of Slice, so also Cropping3D's input gradient). */
export const padV2Config = (): KernelConfig => ({ kernelName: 'PadV2', backendName: 'webgpu', kernelFunc: padByAxis('PadV2') });

/** `MirrorPad` for every rank. */
export const mirrorPadConfig = (): KernelConfig => ({ kernelName: 'MirrorPad', backendName: 'webgpu', kernelFunc: padByAxis('MirrorPad') });
