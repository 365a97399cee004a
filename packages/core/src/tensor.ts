import { tfc } from './engine';
import { ValueError } from './errors';

export type Tensor<R extends tfc.Rank = tfc.Rank> = tfc.Tensor<R>;
export type Scalar = tfc.Scalar;
export type Rank = tfc.Rank;
export type DataType = tfc.DataType;
export type TypedArray = Float32Array | Int32Array | Uint8Array;
/** Nested JS arrays of numbers/booleans (what Keras calls array-like). */
export type NestedArray = number | boolean | NestedArray[];
/** Anything Strata accepts where Keras takes a NumPy array. */
export type TensorLike = Tensor | NestedArray | TypedArray;

export function isTensor(x: unknown): x is Tensor {
  return x instanceof tfc.Tensor;
}

/**
 * Creates a tensor from nested arrays or a typed array (`shape` required for a flat typed array
 * of rank > 1), like `keras.ops.convert_to_tensor`.
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DataType): Tensor {
  if (isTensor(values)) {
    if (shape != null && !tfc.util.arraysEqual(values.shape, shape as number[])) {
      return tfc.reshape(dtype != null ? tfc.cast(values, dtype) : values, shape as number[]);
    }
    return dtype != null && values.dtype !== dtype ? tfc.cast(values, dtype) : values;
  }
  if (dtype == null && values instanceof Int32Array) dtype = 'int32';
  try {
    return tfc.tensor(values as tfc.TensorLike, shape as number[] | undefined, dtype);
  } catch (e) {
    throw new ValueError(`Cannot create a tensor: ${(e as Error).message}`);
  }
}

/** Returns `x` itself when it is already a tensor (of `dtype`, if given), else a new tensor. */
export function convertToTensor(x: TensorLike, dtype?: DataType): Tensor {
  if (isTensor(x)) return dtype != null && x.dtype !== dtype ? tfc.cast(x, dtype) : x;
  return tensor(x, undefined, dtype);
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
  unreliable?: boolean;
}

export function memory(): MemoryInfo {
  const m = tfc.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers, unreliable: m.unreliable };
}

export const tidy = tfc.tidy;
export const keep = tfc.keep;
export const dispose = tfc.dispose;
export const nextFrame = tfc.nextFrame;

/** The default float dtype (`keras.config.floatx()`). */
export function floatx(): 'float32' {
  return 'float32';
}

/** `keras.backend.epsilon()`: the fuzz factor used by losses and metrics. */
let epsilonValue = 1e-7;
export function epsilon(): number {
  return epsilonValue;
}
export function setEpsilon(value: number): void {
  epsilonValue = value;
}
