import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { applyMask } from './image-color-utils';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, kerasFactor, checkValueRange } from './random-image';

export interface RandomGaussianBlurArgs extends RandomImageArgs {
  /** `f` (probability range [-f, f], as RandomInvert) or `[low, high]` in [0, 1]: the blur probability. */
  factor?: number | [number, number];
  /** Odd kernel size (default 3). */
  kernelSize?: number;
  /** `s` (range [0, s]) or `[low, high]`, non-negative: the standard deviation (plus 1e-6), one draw per axis per call. */
  sigma?: number | [number, number];
  valueRange?: [number, number];
}

/** Normalized 1-D Gaussian taps (keras.ops.image.gaussian_blur). */
export function gaussianTaps(size: number, sigma: number): number[] {
  const taps = Array.from({ length: size }, (_, i) => Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / total);
}

/** Correlates `x` along `axis` with `taps`, zero padded to the same size. */
export function convolveAxis(x: Tensor, axis: number, taps: number[]): Tensor {
  const half = (taps.length - 1) / 2;
  const padded = ops.pad(
    x,
    x.shape.map((_, i) => (i === axis ? [half, half] : [0, 0])) as [number, number][],
  );
  let acc: Tensor | null = null;
  taps.forEach((t, k) => {
    const term = ops.multiply(ops.slice(padded, x.shape.map((_, i) => (i === axis ? k : 0)), [...x.shape] as number[]), t);
    acc = acc == null ? term : ops.add(acc, term);
  });
  return acc!;
}

/**
 * `keras.layers.RandomGaussianBlur`: during training, blurs each image with probability
 * `p ~ U[factor]` (`U[0, 1) < p`) by a separable Gaussian of size `kernel_size` and standard
 * deviations `sigma_y, sigma_x ~ U[sigma] + 1e-6` (drawn once per call), clipped to `value_range`.
 */
export class RandomGaussianBlur extends RandomImageLayer {
  static override className = 'RandomGaussianBlur';

  readonly factor: number | [number, number];
  readonly probRange: [number, number];
  readonly kernelSize: number;
  readonly sigma: [number, number];
  readonly valueRange: [number, number];

  constructor(factor?: number | [number, number], kernelSize?: number, sigma?: number | [number, number], options?: Omit<RandomGaussianBlurArgs, 'factor' | 'kernelSize' | 'sigma'>);
  constructor(args: RandomGaussianBlurArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomGaussianBlurArgs>(['factor', 'kernelSize', 'sigma'], args);
    super(a);
    this.probRange = kerasFactor('RandomGaussianBlur', 'factor', a.factor ?? 1, [0, 1]);
    this.factor = [...this.probRange];
    const k = a.kernelSize ?? 3;
    if (!Number.isInteger(k) || k < 1 || k % 2 === 0) {
      throw new ValueError(`RandomGaussianBlur: \`kernel_size\` must be a positive odd integer. Received: kernel_size=${String(a.kernelSize)}`);
    }
    this.kernelSize = k;
    // Keras checks `sigma` with the factor bounds too: a number s gives [0, s], s <= 1.
    this.sigma = kerasFactor('RandomGaussianBlur', 'sigma', a.sigma ?? 1, [0, 1]);
    this.valueRange = checkValueRange('RandomGaussianBlur', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = imageAxes(`RandomGaussianBlur "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const apply = applyMask(x, this.probRange[0], this.probRange[1], this.seedGenerator);
      const [lo, hi] = this.sigma;
      const sy = lo + (hi - lo) * this.seedGenerator.nextFloat() + 1e-6;
      const sx = lo + (hi - lo) * this.seedGenerator.nextFloat() + 1e-6;
      const blurred = convolveAxis(convolveAxis(xf, hAxis, gaussianTaps(this.kernelSize, sy)), wAxis, gaussianTaps(this.kernelSize, sx));
      return ops.clip(ops.where(apply, blurred, xf), this.valueRange[0], this.valueRange[1]);
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      factor: this.factor,
      kernel_size: this.kernelSize,
      sigma: [...this.sigma],
      value_range: [...this.valueRange],
    };
  }
}
registerClass('layer', RandomGaussianBlur, { module: 'keras.layers', className: 'RandomGaussianBlur' });
