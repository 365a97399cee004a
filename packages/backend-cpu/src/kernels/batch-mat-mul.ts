import { type KernelConfig, type TensorInfo, broadcast_util, util } from '@tensorflow/tfjs-core';
import { gemmNT } from './gemm';
import { type CpuKernelArgs, runStock, valuesOf } from './util';

/** Copies the row-major [rows, cols] matrix at `off` into a new [cols, rows] one. */
function transposed(src: Float32Array, off: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = off + r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[s + c]!;
  }
  return out;
}

/**
 * `BatchMatMul` on cpu for float32 through the register-tiled `gemmNT`: the left operand is
 * brought to [M, K] and the right one to [N, K] (the layout `transposeB` already has; otherwise a
 * copy that costs O(K*N) against the product's O(M*K*N)), so both are read along contiguous rows.
 * Batch dimensions broadcast the way the stock kernel does. Sums are float64 (the stock kernel
 * rounds to float32 after every block of 48 products). Integer inputs run the stock kernel.
 */
export function batchMatMul(args: CpuKernelArgs): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs = {} } = args;
  const a = inputs.a!;
  const b = inputs.b!;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return runStock('BatchMatMul', args);
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  const ar = a.shape.length;
  const br = b.shape.length;
  const K = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kB = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const M = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const N = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (K !== kB) return runStock('BatchMatMul', args); // the stock kernel throws its own message
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const av = valuesOf(backend, a);
  const bv = valuesOf(backend, b);
  const out = new Float32Array(batch * M * N);
  // Broadcast operands are prepared once per distinct batch index.
  const lefts = new Map<number, [Float32Array, number]>();
  const rights = new Map<number, Float32Array>();
  for (let bi = 0; bi < batch; bi++) {
    const ia = bi % batchA;
    const ib = bi % batchB;
    let left = lefts.get(ia);
    if (left == null) {
      left = transposeA ? [transposed(av, ia * M * K, K, M), 0] : [av, ia * M * K];
      lefts.set(ia, left);
    }
    let right = rights.get(ib);
    if (right == null) {
      right = transposeB ? bv.subarray(ib * N * K, (ib + 1) * N * K) : transposed(bv, ib * K * N, K, N);
      rights.set(ib, right);
    }
    gemmNT(left[0], left[1], right, out, bi * M * N, M, K, N);
    if (batchA > 1) lefts.delete(ia);
    if (batchB > 1) rights.delete(ib);
  }
  return backend.makeTensorInfo([...outer, M, N], 'float32', out);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'cpu',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
