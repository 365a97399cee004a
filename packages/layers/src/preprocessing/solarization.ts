import { type Tensor, ValueError, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { channelAxis, perImageShape, transformValueRange } from './image-color-utils';
import { type RandomImageArgs, RandomImageLayer, checkValueRange } from './random-image';

export interface SolarizationArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]: added to the image, times 255. */
  additionFactor?: number | [number, number];
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]: the threshold, times 255. */
  thresholdFactor?: number | [number, number];
  valueRange?: [number, number];
}

function factorRange(name: string, value: unknown): [number, number] {
  const v = typeof value === 'number' ? [0, value] : value;
  if (!(Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number' && e >= 0 && e <= 1) && v[0] <= v[1])) {
    throw new ValueError(`Solarization: \`${name}\` should be a number or a pair of numbers in [0, 1]. Received: ${name}=${JSON.stringify(value)}`);
  }
  return [v[0], v[1]];
}

/**
 * `keras.layers.Solarization`: during training, on the [0, 255] scale, adds `a * 255`, clips, and
 * inverts (`255 - x`) every value at or above the threshold `t * 255`; `a`, `t` drawn per image.
 */
export class Solarization extends RandomImageLayer {
  static override className = 'Solarization';

  readonly additionFactor: [number, number];
  readonly thresholdFactor: [number, number];
  readonly valueRange: [number, number];

  constructor(additionFactor?: number | [number, number], thresholdFactor?: number | [number, number], valueRange?: [number, number], seed?: number | null, options?: Omit<SolarizationArgs, 'additionFactor' | 'thresholdFactor' | 'valueRange' | 'seed'>);
  constructor(args: SolarizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<SolarizationArgs>(['additionFactor', 'thresholdFactor', 'valueRange', 'seed'], args);
    super(a);
    this.additionFactor = factorRange('addition_factor', a.additionFactor ?? 0);
    this.thresholdFactor = factorRange('threshold_factor', a.thresholdFactor ?? 0);
    this.valueRange = checkValueRange('Solarization', a.valueRange);
  }

  private draw(x: Tensor, [lo, hi]: [number, number]): Tensor {
    const shape = perImageShape(x);
    return lo === hi ? ops.full(shape, lo * 255) : ops.multiply(random.uniform(shape, lo, hi, { seed: this.seedGenerator }), 255);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    channelAxis(`Solarization "${this.name}"`, x, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      const xf = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
      const additions = this.draw(x, this.additionFactor);
      const thresholds = this.draw(x, this.thresholdFactor);
      const v = ops.clip(ops.add(transformValueRange(xf, this.valueRange, [0, 255]), additions), 0, 255);
      const y = ops.where(ops.less(v, thresholds), v, ops.subtract(255, v));
      return transformValueRange(y, [0, 255], this.valueRange);
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      addition_factor: [...this.additionFactor],
      threshold_factor: [...this.thresholdFactor],
      value_range: [...this.valueRange],
    };
  }
}
registerClass('layer', Solarization, { module: 'keras.layers', className: 'Solarization' });
