import { ValueError } from '@strata/core';
import { type KernelConfig, type KernelFunc, type Tensor, type TensorInfo, pad, reshape, tidy } from '@tensorflow/tfjs-core';
import { sizeOf, stockKernel } from './stock';

/**
 * `PadV2` on webgl for every rank. The stock packed and unpacked pad programs compare coordinates
 * with `lessThan(coords, start)`, which GLSL has only for vectors of up to 4 components: for rank 5
 * and 6 (Conv3D 'same', the gradients of dilated and transposed convolutions, ZeroPadding3D) the
 * shader does not compile. Higher ranks are padded one axis at a time, each as a rank-3 pad of
 * [axes before, axis, axes after] between two reshapes, all on the GPU.
 */
export const padV2: KernelFunc = (args) => {
  const x = (args.inputs as { x: Tensor }).x;
  const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
  if (paddings.length !== x.rank) {
    throw new ValueError(`PadV2 (webgl): got ${paddings.length} padding pairs for an input of rank ${x.rank} (shape [${x.shape}]).`);
  }
  if (x.rank <= 4) return stockKernel('PadV2')(args);
  return tidy(() => {
    let y: Tensor = x;
    for (let axis = 0; axis < x.rank; axis++) {
      const [before, after] = paddings[axis]!;
      if (before === 0 && after === 0) continue;
      const shape = y.shape;
      const padded = pad(reshape(y, [sizeOf(shape, 0, axis), shape[axis]!, sizeOf(shape, axis + 1)]), [[0, 0], [before, after], [0, 0]], constantValue);
      y = reshape(padded, [...shape.slice(0, axis), shape[axis]! + before + after, ...shape.slice(axis + 1)]);
    }
    // A new tensor even without padding: the engine takes ownership of what a kernel returns.
    return y === x ? reshape(x, x.shape) : y;
  }) as TensorInfo;
};

export const padV2Config: KernelConfig = { kernelName: 'PadV2', backendName: 'webgl', kernelFunc: padV2 };
