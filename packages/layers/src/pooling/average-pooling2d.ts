import { registerClass } from '@strata/core';
import type { Padding } from '../utils/args';
import { BasePooling, type PoolingArgs, type PoolMode } from './base-pooling';

export type AveragePooling2DArgs = PoolingArgs;

/**
 * `keras.layers.AveragePooling2D`: mean over `poolSize` windows of each channel (2-D; defaults: pool_size 2,
 * strides = pool_size, padding 'valid', 'same' averages only the unpadded entries).
 */
export class AveragePooling2D extends BasePooling {
  static override className = 'AveragePooling2D';
  protected readonly mode: PoolMode = 'average';

  constructor(
    poolSize?: number | [number, number],
    strides?: number | [number, number] | null,
    padding?: Padding,
    options?: Omit<AveragePooling2DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number, number], options?: Omit<AveragePooling2DArgs, 'poolSize'>);
  constructor(args?: AveragePooling2DArgs);
  constructor(...args: unknown[]) {
    super(2, args);
  }
}
registerClass('layer', AveragePooling2D, { module: 'keras.layers', className: 'AveragePooling2D' });
