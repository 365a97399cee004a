import { type Tensor, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { imageAxes, sortedValueRange, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, kerasFactor } from './random-image';

export interface RandomBrightnessArgs extends RandomImageArgs {
  /** `f` or `[lower, upper]` in [-1, 1]: the delta, as a fraction of the value range. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomBrightness`: during training, adds `d * (high - low)` per image with
 * `d ~ U[lower, upper)`, then clips to `value_range = [low, high]`. `factor` goes through Keras'
 * `_set_factor` (bounds [-1, 1]): `f` means `[-|f|, |f|]`, a pair is sorted. Float32 output.
 */
export class RandomBrightness extends RandomImageLayer {
  static override className = 'RandomBrightness';

  readonly factor: [number, number];
  readonly lower: number;
  readonly upper: number;
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomBrightnessArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomBrightnessArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomBrightnessArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    const [lower, upper] = kerasFactor('RandomBrightness', 'factor', a.factor, [-1, 1]);
    this.factor = [lower, upper];
    this.lower = lower;
    this.upper = upper;
    this.valueRange = sortedValueRange('RandomBrightness', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    imageAxes(`RandomBrightness "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = toFloat(x);
      const [lo, hi] = this.valueRange;
      const delta = ops.multiply(this.perImageUniform(x, this.lower, this.upper), hi - lo);
      return ops.clip(ops.add(xf, delta), lo, hi);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: [...this.factor], value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomBrightness, { module: 'keras.layers', className: 'RandomBrightness' });
