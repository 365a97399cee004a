import { registerClass } from '@strata/core';
import type { Padding } from '../utils/args';
import { BasePooling, type PoolingArgs, type PoolMode } from './base-pooling';

export type MaxPooling1DArgs = PoolingArgs;

/**
 * `keras.layers.MaxPooling1D`: maximum over `poolSize` windows of each channel (1-D; defaults: pool_size 2,
 * strides = pool_size, padding 'valid').
 */
export class MaxPooling1D extends BasePooling {
  static override className = 'MaxPooling1D';
  protected readonly mode: PoolMode = 'max';

  constructor(
    poolSize?: number | [number],
    strides?: number | [number] | null,
    padding?: Padding,
    options?: Omit<MaxPooling1DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number], options?: Omit<MaxPooling1DArgs, 'poolSize'>);
  constructor(args?: MaxPooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', MaxPooling1D, { module: 'keras.layers', className: 'MaxPooling1D' });
