import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Attrs, type BackendLike, sizeOf, stockKernel } from './stock';

/** The parts of tfjs' WebGPU backend a program-running kernel needs. */
interface ProgramBackend extends BackendLike {
  tensorMap: { get(dataId: object): { values?: ArrayLike<number> | null } };
  makeTensorInfo(shape: number[], dtype: DataType, values: ArrayLike<number>): TensorInfo;
  runWebGPUProgram(program: unknown, inputs: TensorInfo[], outputDtype: DataType): TensorInfo;
}

const WORKGROUP = 64;

/**
 * One value per invocation, converted by the shader's typed reads and writes: input `A` is read
 * as `f32(A[i])` (whatever its storage type), the output is written as the output dtype.
 */
class ConvertProgram {
  variableNames = ['A'];
  size = true;
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(shape: number[], from: DataType, to: DataType) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(Math.max(1, sizeOf(shape)) / WORKGROUP), 1, 1];
    this.shaderKey = `strata_convert_${from}_${to}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, f32(getAByOutputIndex(index)));
        }
      }
    `;
  }
}

/**
 * `Cast` that converts. Stock tfjs-backend-webgpu 4.22 treats a cast to a dtype without precision
 * loss (int32/bool -> float32, bool -> int32) as a relabel of the same buffer, but its shaders read
 * storage by dtype, so the integer bits are then read as floats (1 becomes 1.4e-45): e.g.
 * `cast(oneHot(...), 'float32')`, as CategoryEncoding does, yields garbage. Here the values are
 * converted: on the CPU when they are only there (as tfjs does for small tensors), else by a shader.
 */
function cast(): KernelFunc {
  const stock = stockKernel('Cast');
  return ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const { dtype } = attrs as Attrs & { dtype: DataType };
    const b = backend as unknown as ProgramBackend;
    const widens = (x.dtype === 'int32' || x.dtype === 'bool') && (dtype === 'float32' || (x.dtype === 'bool' && dtype === 'int32'));
    if (!widens) return stock({ x }, attrs as Attrs, b);
    const values = b.tensorMap.get(x.dataId).values;
    if (values != null) {
      return b.makeTensorInfo([...x.shape], dtype, dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values));
    }
    return b.runWebGPUProgram(new ConvertProgram([...x.shape], x.dtype, dtype), [x], dtype);
  };
}

export const castConfig = (): KernelConfig => ({ kernelName: 'Cast', backendName: 'webgpu', kernelFunc: cast() });
