import { type Tensor, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { perImageShape, unitFactorRange } from './image-color-utils';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange } from './random-image';

export interface RandomSharpnessArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]; 0 fully blurred, 0.5 a no-op, 1 sharpened. */
  factor?: number | [number, number];
  valueRange?: [number, number];
}

/** 3x3 smoothing with the PIL SMOOTH kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13, zero padding ('same'). */
export function smooth3x3(x: Tensor, hAxis: number): Tensor {
  const padding = x.shape.map((_, i) => (i === hAxis || i === hAxis + 1 ? [1, 1] : [0, 0])) as [number, number][];
  const padded = ops.pad(x, padding);
  let acc: Tensor | null = null;
  for (let dy = 0; dy < 3; dy++) {
    for (let dx = 0; dx < 3; dx++) {
      const begin = x.shape.map((_, i) => (i === hAxis ? dy : i === hAxis + 1 ? dx : 0));
      const term = ops.multiply(ops.slice(padded, begin, [...x.shape] as number[]), (dy === 1 && dx === 1 ? 5 : 1) / 13);
      acc = acc == null ? term : ops.add(acc, term);
    }
  }
  return acc!;
}

/**
 * `keras.layers.RandomSharpness`: during training, `x + (1 - 2f) * (smooth(x) - x)` per image,
 * `f ~ U[factor]`, clipped to `value_range` (`smooth` as `smooth3x3`).
 */
export class RandomSharpness extends RandomImageLayer {
  static override className = 'RandomSharpness';

  readonly factor: number | [number, number];
  readonly range: [number, number];
  readonly valueRange: [number, number];

  constructor(factor: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<RandomSharpnessArgs, 'factor' | 'valueRange' | 'seed'>);
  constructor(args: RandomSharpnessArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomSharpnessArgs>(['factor', 'valueRange', 'seed'], args);
    super(a);
    this.range = unitFactorRange('RandomSharpness', a.factor);
    this.factor = [...this.range];
    this.valueRange = checkValueRange('RandomSharpness', a.valueRange);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis] = imageAxes(`RandomSharpness "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const [lo, hi] = this.range;
      const shape = perImageShape(x);
      const f = lo === hi ? ops.full(shape, lo) : random.uniform(shape, lo, hi, { seed: this.seedGenerator });
      const y = ops.add(xf, ops.multiply(ops.subtract(1, ops.multiply(f, 2)), ops.subtract(smooth3x3(xf, hAxis), xf)));
      return ops.clip(y, this.valueRange[0], this.valueRange[1]);
    });
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, value_range: [...this.valueRange] };
  }
}
registerClass('layer', RandomSharpness, { module: 'keras.layers', className: 'RandomSharpness' });
