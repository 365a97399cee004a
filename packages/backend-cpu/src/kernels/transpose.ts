import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type CpuKernelArgs, runStock } from './util';

type NumericArray = Float32Array | Int32Array | Uint8Array;

/**
 * `Transpose` on cpu with an odometer over the output: the inner loop walks the last output axis
 * with a fixed input stride and the outer axes advance the input offset incrementally, instead of
 * converting every index to coordinates and back as the stock kernel does. Axes that stay adjacent
 * and in order are merged first (e.g. NHWC -> NCHW is a 3-D transpose). Strings and complex
 * tensors run the stock kernel.
 */
export function transpose(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const x = inputs.x!;
  const perm = attrs.perm as number[];
  if (x.dtype === 'string' || x.dtype === 'complex64') return runStock('Transpose', args);
  const values = backend.data.get(x.dataId).values as NumericArray;
  const outShape = perm.map((p) => x.shape[p]!);
  const size = util.sizeFromShape(x.shape);
  const out = new (values.constructor as new (n: number) => NumericArray)(size);
  // Merge runs of input axes that stay consecutive in the output.
  const dims: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < perm.length; i++) {
    const p = perm[i]!;
    if (x.shape[p] === 1) continue;
    const last = order.length - 1;
    if (last >= 0 && order[last]! + 1 === p && i > 0) {
      dims[last] = dims[last]! * x.shape[p]!;
      order[last] = p;
    } else {
      dims.push(x.shape[p]!);
      order.push(p);
    }
  }
  // Input stride of each merged output axis: the stride of its last (fastest) input axis.
  const inStrides = util.computeStrides(x.shape);
  const strideOf = (axis: number) => (axis === x.shape.length - 1 ? 1 : inStrides[axis]!);
  const rank = dims.length;
  if (rank <= 1 || size === 0) {
    out.set(values.subarray(0, size));
  } else {
    const strides = order.map(strideOf);
    const inner = dims[rank - 1]!;
    const innerStride = strides[rank - 1]!;
    const counter = new Array<number>(rank - 1).fill(0);
    let offset = 0;
    for (let o = 0; o < size; o += inner) {
      for (let j = 0, s = offset; j < inner; j++, s += innerStride) out[o + j] = values[s]!;
      // Advance the outer axes, last first.
      for (let a = rank - 2; a >= 0; a--) {
        offset += strides[a]!;
        if (++counter[a]! < dims[a]!) break;
        offset -= strides[a]! * dims[a]!;
        counter[a] = 0;
      }
    }
  }
  const dataId = backend.write(out, outShape, x.dtype);
  return { dataId, shape: outShape, dtype: x.dtype };
}

export const transposeConfig: KernelConfig = {
  kernelName: 'Transpose',
  backendName: 'cpu',
  kernelFunc: transpose as unknown as KernelConfig['kernelFunc'],
};
