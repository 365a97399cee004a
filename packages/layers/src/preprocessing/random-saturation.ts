import { type Tensor, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkRgb, hsvToRgb, perImageShape, rgbToHsv } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange, kerasFactor } from './random-image';

export interface RandomSaturationArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]; 0.5 is a no-op, 0 grayscale, 1 fully saturated. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomSaturation`: during training, multiplies the HSV saturation of each image by
 * `f / (1 - f + 1e-7)`, `f ~ U[factor]`, clipped to [0, 1].
 */
export class RandomSaturation extends RandomImageLayer {
  static override className = 'RandomSaturation';

  readonly factor: number | [number, number];
  readonly range: [number, number];
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomSaturationArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomSaturationArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomSaturationArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    // Keras keeps the base bounds [-1, 1] here: a number f gives [-f, f].
    this.range = kerasFactor('RandomSaturation', 'factor', a.factor, [-1, 1]);
    this.factor = [...this.range];
    this.valueRange = checkValueRange('RandomSaturation', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const axis = checkRgb(`RandomSaturation "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const shape = perImageShape(x);
      const [lo, hi] = this.range;
      const f = lo === hi ? ops.full(shape, lo) : random.uniform(shape, lo, hi, { seed: this.seedGenerator });
      const adjust = ops.squeeze(ops.divide(f, ops.add(ops.subtract(1, f), 1e-7)), axis);
      // As Keras: HSV of the raw values, the scaled saturation clipped to `value_range`.
      const [h, s, v] = ops.unstack(rgbToHsv(xf, axis), axis) as [Tensor, Tensor, Tensor];
      const hsv = ops.stack([h, ops.clip(ops.multiply(s, adjust), this.valueRange[0], this.valueRange[1]), v], axis);
      return hsvToRgb(hsv, axis);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomSaturation, { module: 'keras.layers', className: 'RandomSaturation' });
