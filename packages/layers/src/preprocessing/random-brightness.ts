import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange, factorPair } from './random-image';

export interface RandomBrightnessArgs extends RandomImageArgs {
  /** `f` or `[lower, upper]` in [-1, 1]: the delta, as a fraction of the value range. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomBrightness`: during training, adds `d * (high - low)` per image with
 * `d ~ U[lower, upper]`, then clips to `value_range = [low, high]`.
 */
export class RandomBrightness extends RandomImageLayer {
  static override className = 'RandomBrightness';

  readonly factor: number | [number, number];
  readonly lower: number;
  readonly upper: number;
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomBrightnessArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomBrightnessArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomBrightnessArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    const [lower, upper] = factorPair(a.factor, true);
    if (!(lower >= -1 && upper <= 1 && lower <= upper)) {
      throw new ValueError(`RandomBrightness: \`factor\` argument should be a number or a pair of numbers within [-1.0, 1.0]. Received: factor=${JSON.stringify(a.factor)}`);
    }
    this.factor = a.factor!;
    this.lower = lower;
    this.upper = upper;
    this.valueRange = checkValueRange('RandomBrightness', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    imageAxes(`RandomBrightness "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const [lo, hi] = this.valueRange;
      const delta = ops.multiply(this.perImageUniform(x, this.lower, this.upper), hi - lo);
      return ops.clip(ops.add(xf, delta), lo, hi);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomBrightness, { module: 'keras.layers', className: 'RandomBrightness' });
