import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange, kerasFactor } from './random-image';

export interface RandomContrastArgs extends RandomImageArgs {
  /** `f` or `[lower, upper]`: the contrast factor is drawn from `[1 - lower, 1 + upper]`. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomContrast`: during training, `(x - mean) * f + mean` per image and channel
 * (mean over height and width), `f ~ U[1 - lower, 1 + upper]`, clipped to `value_range`.
 */
export class RandomContrast extends RandomImageLayer {
  static override className = 'RandomContrast';

  readonly factor: number | [number, number];
  readonly lower: number;
  readonly upper: number;
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], seed?: number | null, options?: Omit<RandomContrastArgs, 'factor' | 'seed'>);
  constructor(args: RandomContrastArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomContrastArgs>(['factor', 'seed'], args);
    super(a);
    const [lower, upper] = kerasFactor('RandomContrast', 'factor', a.factor, [0, 1]);
    if (!(lower >= 0 && upper >= 0 && lower <= 1)) {
      throw new ValueError(
        `RandomContrast: \`factor\` must be a non-negative number or a pair [lower, upper] with 0 <= lower <= 1 and upper >= 0. Received: factor=${JSON.stringify(a.factor)}`,
      );
    }
    this.factor = [lower, upper];
    this.lower = lower;
    this.upper = upper;
    this.valueRange = checkValueRange('RandomContrast', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = imageAxes(`RandomContrast "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const f = this.perImageUniform(x, 1 - this.lower, 1 + this.upper);
      const mean = ops.mean(xf, [hAxis, wAxis], true);
      const y = ops.add(ops.multiply(ops.subtract(xf, mean), f), mean);
      return ops.clip(y, this.valueRange[0], this.valueRange[1]);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomContrast, { module: 'keras.layers', className: 'RandomContrast' });
