import { type Tensor, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { applyMask, channelAxis } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange, kerasFactor } from './random-image';

export interface RandomInvertArgs extends RandomImageArgs {
  /** `f` or `[lower, upper]` in [0, 1]: the inversion probability is drawn from `[0, f]` (resp. the pair). */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomInvert`: during training, each image is inverted (`value_range[1] - x`) when
 * `U[0, 1) < p`, `p ~ U[factor]` (a number `f` gives `[0, f]`, as Keras' `_set_factor`).
 */
export class RandomInvert extends RandomImageLayer {
  static override className = 'RandomInvert';

  readonly factor: number | [number, number];
  readonly lower: number;
  readonly upper: number;
  readonly valueRange: [number, number];

  constructor(factor?: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomInvertArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomInvertArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomInvertArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    const [lower, upper] = kerasFactor('RandomInvert', 'factor', a.factor ?? 1.0, [0, 1]);
    this.factor = [lower, upper];
    this.lower = lower;
    this.upper = upper;
    this.valueRange = checkValueRange('RandomInvert', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    channelAxis(`RandomInvert "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const inverted = ops.subtract(this.valueRange[1], xf);
      return ops.where(applyMask(x, this.lower, this.upper, this.seedGenerator), inverted, xf);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomInvert, { module: 'keras.layers', className: 'RandomInvert' });
