import { type Tensor, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkRgb, hsvToRgb, perImageShape, rgbToHsv, transformValueRange, unitFactorRange } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange } from './random-image';

export interface RandomHueArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]; 1 shifts the hue by half a turn. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomHue`: during training, rotates the HSV hue of each image by `±f / 2`
 * (sign drawn with probability 1/2), `f ~ U[factor]`, wrapping into [0, 1].
 */
export class RandomHue extends RandomImageLayer {
  static override className = 'RandomHue';

  readonly factor: number | [number, number];
  readonly range: [number, number];
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomHueArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomHueArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomHueArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    this.range = unitFactorRange('RandomHue', a.factor);
    this.factor = [...this.range];
    this.valueRange = checkValueRange('RandomHue', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const axis = checkRgb(`RandomHue "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const shape = perImageShape(x);
      const [lo, hi] = this.range;
      const sign = ops.where(ops.greater(random.uniform(shape, 0, 1, { seed: this.seedGenerator }), 0.5), -1, 1);
      const f = lo === hi ? ops.full(shape, lo) : random.uniform(shape, lo, hi, { seed: this.seedGenerator });
      const adjust = ops.squeeze(ops.multiply(ops.multiply(sign, f), 0.5), axis);
      const [h, s, v] = ops.unstack(rgbToHsv(transformValueRange(xf, this.valueRange, [0, 1]), axis), axis) as [Tensor, Tensor, Tensor];
      let hh = ops.add(h, adjust);
      hh = ops.where(ops.greater(hh, 1), ops.subtract(hh, 1), hh);
      hh = ops.where(ops.less(hh, 0), ops.add(hh, 1), hh);
      return transformValueRange(ops.clip(hsvToRgb(ops.stack([hh, s, v], axis), axis), 0, 1), [0, 1], this.valueRange);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomHue, { module: 'keras.layers', className: 'RandomHue' });
