import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type Interpolation, type UpSamplingArgs, UpSamplingBase } from './up-sampling-base';

export interface UpSampling2DArgs extends UpSamplingArgs {
  size?: number | [number, number];
}

/**
 * `keras.layers.UpSampling2D`: scales rows and columns by `size` (default `(2, 2)`), repeating
 * pixels (`'nearest'`) or with `'bilinear'` interpolation exactly as Keras 3 (`jax.image.resize`:
 * half-pixel centers, edges clamped).
 */
export class UpSampling2D extends UpSamplingBase {
  static override className = 'UpSampling2D';

  constructor(
    size?: number | [number, number],
    dataFormat?: DataFormat | null,
    interpolation?: Interpolation,
    options?: Omit<UpSampling2DArgs, 'size' | 'dataFormat' | 'interpolation'>,
  );
  constructor(size: number | [number, number], options?: Omit<UpSampling2DArgs, 'size'>);
  constructor(args?: UpSampling2DArgs);
  constructor(...args: unknown[]) {
    super(2, ['size', 'dataFormat', 'interpolation'], args, 2);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), size: [...this.size], data_format: this.dataFormat, interpolation: this.interpolation };
  }
}
registerClass('layer', UpSampling2D, { module: 'keras.layers', className: 'UpSampling2D' });
