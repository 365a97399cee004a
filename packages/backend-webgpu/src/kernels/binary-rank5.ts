import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Attrs, type BackendLike, reshapeInfo, sizeOf, stockKernel } from './stock';

/** The stock kernels built on tfjs-backend-webgpu's `BinaryOpProgram`, with their input names. */
const BINARY: Array<[string, string, string]> = [
  ...[
    'Add',
    'Atan2',
    'Equal',
    'FloorDiv',
    'Greater',
    'GreaterEqual',
    'Less',
    'LessEqual',
    'LogicalAnd',
    'LogicalOr',
    'Maximum',
    'Minimum',
    'Mod',
    'Multiply',
    'NotEqual',
    'Pow',
    'RealDiv',
    'SquaredDifference',
    'Sub',
  ].map((k): [string, string, string] => [k, 'a', 'b']),
  ['Prelu', 'x', 'alpha'],
];

/**
 * A binary kernel that works when one operand has rank <= 1 and the other rank >= 5. Stock
 * tfjs-backend-webgpu 4.22 then keeps the small operand in workgroup memory and indexes it with
 * `coords[rank - 1]`, which WGSL rejects for rank 5+ coordinates (a struct), so the shader fails to
 * compile and the result is garbage: e.g. a Conv3D bias add. Broadcasting a rank-1 operand only
 * touches the last axis, so the big operand is folded to rank 2 `[rest, last]` and the result
 * unfolded.
 */
function binary(kernelName: string, first: string, second: string): KernelFunc {
  const stock = stockKernel(kernelName);
  return ({ inputs, attrs, backend }) => {
    const ins = inputs as Record<string, TensorInfo>;
    const a = ins[first]!;
    const bIn = ins[second]!;
    const be = backend as unknown as BackendLike;
    const [big, small] = a.shape.length >= bIn.shape.length ? [a, bIn] : [bIn, a];
    if (big.shape.length < 5 || small.shape.length > 1) return stock(ins, attrs as Attrs, be);
    const shape = [...big.shape];
    const last = shape[shape.length - 1]!;
    const folded = reshapeInfo(big, [sizeOf(shape.slice(0, -1)), last], be);
    const out = stock({ [first]: big === a ? folded : a, [second]: big === a ? bIn : folded }, attrs as Attrs, be);
    be.disposeData(folded.dataId);
    const result = reshapeInfo(out, shape, be);
    be.disposeData(out.dataId);
    return result;
  };
}

/** One corrected config per binary kernel. */
export const binaryRank5Configs = (): KernelConfig[] =>
  BINARY.map(([kernelName, first, second]) => ({ kernelName, backendName: 'webgpu', kernelFunc: binary(kernelName, first, second) }));
