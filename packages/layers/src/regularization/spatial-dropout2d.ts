import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type SpatialDropoutArgs, SpatialDropoutBase } from './spatial-dropout';

export type SpatialDropout2DArgs = SpatialDropoutArgs;

/**
 * `keras.layers.SpatialDropout2D`: in training, drops entire 2-D feature maps with probability `rate`
 * (scaling the rest by `1 / (1 - rate)`); the identity at inference.
 */
export class SpatialDropout2D extends SpatialDropoutBase {
  static override className = 'SpatialDropout2D';

  constructor(rate: number, dataFormat?: DataFormat | null, seed?: number | null, options?: Omit<SpatialDropout2DArgs, 'rate' | 'dataFormat' | 'seed'>);
  constructor(rate: number, options?: Omit<SpatialDropout2DArgs, 'rate'>);
  constructor(args: SpatialDropout2DArgs);
  constructor(...args: unknown[]) {
    super(2, args);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', SpatialDropout2D, { module: 'keras.layers', className: 'SpatialDropout2D' });
