import { type Tensor, ops, random, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { channelAxis, perImageShape, transformValueRange } from './image-color-utils';
import { elementwiseFactor, sortedValueRange, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface SolarizationArgs extends RandomImageArgs {
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]: added to the image, times 255. */
  additionFactor?: number | [number, number];
  /** `f` (drawn from [0, f]) or `[low, high]` in [0, 1]: the threshold, times 255. */
  thresholdFactor?: number | [number, number];
  valueRange?: [number, number];
}

/**
 * `keras.layers.Solarization`: during training, on the [0, 255] scale, adds `a`, clips to [0, 255],
 * and inverts (`255 - x`) every value at or above the threshold `t`. Per image,
 * `a ~ U[addition_factor[0], addition_factor[1] * 255)` and `t ~ U[threshold_factor[0],
 * threshold_factor[1] * 255)`: Keras scales only the upper bound by 255, and so does this layer.
 * Output is float32 (also at inference, where the values are unchanged).
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
    this.additionFactor = elementwiseFactor('Solarization', 'addition_factor', a.additionFactor ?? 0, [0, 1], true);
    this.thresholdFactor = elementwiseFactor('Solarization', 'threshold_factor', a.thresholdFactor ?? 0, [0, 1], true);
    this.valueRange = sortedValueRange('Solarization', a.valueRange);
  }

  private draw(x: Tensor, [lo, hi]: [number, number]): Tensor {
    const shape = perImageShape(x);
    // Keras draws from [lo, hi * 255): only the upper bound is rescaled.
    return random.uniform(shape, lo, hi * 255, { seed: this.seedGenerator });
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    channelAxis(`Solarization "${this.name}"`, x, this.dataFormat);
    if (!args.training) return toFloat(x);
    return tidy(() => {
      const xf = toFloat(x);
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
