import { registerClass } from '@strata/core';
import type { Padding } from '../utils/args';
import { BasePooling, type PoolingArgs, type PoolMode } from './base-pooling';

export type AveragePooling1DArgs = PoolingArgs;

/**
 * `keras.layers.AveragePooling1D`: mean over `poolSize` windows of each channel (1-D; defaults: pool_size 2,
 * strides = pool_size, padding 'valid', 'same' averages only the unpadded entries).
 */
export class AveragePooling1D extends BasePooling {
  static override className = 'AveragePooling1D';
  protected readonly mode: PoolMode = 'average';

  constructor(
    poolSize?: number | [number],
    strides?: number | [number] | null,
    padding?: Padding,
    options?: Omit<AveragePooling1DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number], options?: Omit<AveragePooling1DArgs, 'poolSize'>);
  constructor(args?: AveragePooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', AveragePooling1D, { module: 'keras.layers', className: 'AveragePooling1D' });
