import { registerClass } from '@strata/core';
import { type SpatialDropoutArgs, SpatialDropoutBase } from './spatial-dropout';

export type SpatialDropout1DArgs = Omit<SpatialDropoutArgs, 'dataFormat'>;

/**
 * `keras.layers.SpatialDropout1D`: in training, drops entire channels of `(batch, steps, channels)` inputs with probability `rate`
 * (scaling the rest by `1 / (1 - rate)`); the identity at inference.
 */
export class SpatialDropout1D extends SpatialDropoutBase {
  static override className = 'SpatialDropout1D';

  constructor(rate: number, seed?: number | null, options?: Omit<SpatialDropout1DArgs, 'rate' | 'seed'>);
  constructor(rate: number, options?: Omit<SpatialDropout1DArgs, 'rate'>);
  constructor(args: SpatialDropout1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', SpatialDropout1D, { module: 'keras.layers', className: 'SpatialDropout1D' });
