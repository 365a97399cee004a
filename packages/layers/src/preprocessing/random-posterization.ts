import { type Tensor, ValueError, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { channelAxis, perImageShape, transformValueRange } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange, kerasFactor } from './random-image';

export interface RandomPosterizationArgs extends RandomImageArgs {
  /** Bits kept per channel, an integer in [1, 8], or a pair `[low, high]` drawn per image (inclusive). */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.RandomPosterization`: during training, maps each image onto [0, 255], keeps the top
 * `b` bits of every (uint8-truncated) value, `b` drawn per image from `factor`, and maps back.
 */
export class RandomPosterization extends RandomImageLayer {
  static override className = 'RandomPosterization';

  readonly factor: number | [number, number];
  readonly lower: number;
  readonly upper: number;
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomPosterizationArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomPosterizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomPosterizationArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    const [lower, upper] = kerasFactor('RandomPosterization', 'factor', a.factor, [1, 8]);
    if (!Number.isInteger(lower) || !Number.isInteger(upper)) {
      throw new ValueError(`RandomPosterization: \`factor\` should be an integer (or a pair of integers) in [1, 8]. Received: factor=${JSON.stringify(a.factor)}`);
    }
    this.factor = [lower, upper];
    this.lower = lower;
    this.upper = upper;
    this.valueRange = checkValueRange('RandomPosterization', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    channelAxis(`RandomPosterization "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const shape = perImageShape(x);
      const bits =
        this.lower === this.upper
          ? ops.full(shape, this.lower)
          : // Keras draws randint(lower, upper): the upper bound is excluded.
            ops.minimum(ops.floor(random.uniform(shape, this.lower, this.upper, { seed: this.seedGenerator })), this.upper - 1);
      const step = ops.power(ops.full(shape, 2), ops.subtract(8, bits));
      const v = ops.floor(ops.clip(transformValueRange(xf, this.valueRange, [0, 255]), 0, 255));
      const q = ops.multiply(ops.floor(ops.divide(v, step)), step);
      return transformValueRange(q, [0, 255], this.valueRange);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomPosterization, { module: 'keras.layers', className: 'RandomPosterization' });
