import { type Tensor, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkRgb, perImageShape, rgbToGrayscale, unitFactorRange } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange } from './random-image';

export interface RandomColorDegenerationArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]: the blend weight towards grayscale. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomColorDegeneration`: during training, `x + f * (gray(x) - x)` per image,
 * `f ~ U[factor]`, clipped to `value_range`.
 */
export class RandomColorDegeneration extends RandomImageLayer {
  static override className = 'RandomColorDegeneration';

  readonly factor: number | [number, number];
  readonly range: [number, number];
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomColorDegenerationArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomColorDegenerationArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomColorDegenerationArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    this.range = unitFactorRange('RandomColorDegeneration', a.factor);
    this.factor = [...this.range];
    this.valueRange = checkValueRange('RandomColorDegeneration', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const label = `RandomColorDegeneration "${this.name}"`;
    checkRgb(label, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const [lo, hi] = this.range;
      const shape = perImageShape(x);
      const f = lo === hi ? ops.full(shape, lo) : random.uniform(shape, lo, hi, { seed: this.seedGenerator });
      const gray = rgbToGrayscale(label, xf, this.dataFormat);
      return ops.clip(ops.add(xf, ops.multiply(f, ops.subtract(gray, xf))), this.valueRange[0], this.valueRange[1]);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomColorDegeneration, { module: 'keras.layers', className: 'RandomColorDegeneration' });
