import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type SpatialDropoutArgs, SpatialDropoutBase } from './spatial-dropout';

export type SpatialDropout3DArgs = SpatialDropoutArgs;

/**
 * `keras.layers.SpatialDropout3D`: in training, drops entire 3-D feature maps with probability `rate`
 * (scaling the rest by `1 / (1 - rate)`); the identity at inference.
 */
export class SpatialDropout3D extends SpatialDropoutBase {
  static override className = 'SpatialDropout3D';

  constructor(rate: number, dataFormat?: DataFormat | null, seed?: number | null, options?: Omit<SpatialDropout3DArgs, 'rate' | 'dataFormat' | 'seed'>);
  constructor(rate: number, options?: Omit<SpatialDropout3DArgs, 'rate'>);
  constructor(args: SpatialDropout3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', SpatialDropout3D, { module: 'keras.layers', className: 'SpatialDropout3D' });
