import { registerClass } from '@strata/core';
import type { Padding } from '../utils/args';
import { BasePooling, type PoolingArgs, type PoolMode } from './base-pooling';

export type AveragePooling3DArgs = PoolingArgs;

/**
 * `keras.layers.AveragePooling3D`: mean over `poolSize` windows of each channel (3-D; defaults: pool_size 2,
 * strides = pool_size, padding 'valid', 'same' averages only the unpadded entries).
 */
export class AveragePooling3D extends BasePooling {
  static override className = 'AveragePooling3D';
  protected readonly mode: PoolMode = 'average';

  constructor(
    poolSize?: number | [number, number, number],
    strides?: number | [number, number, number] | null,
    padding?: Padding,
    options?: Omit<AveragePooling3DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number, number, number], options?: Omit<AveragePooling3DArgs, 'poolSize'>);
  constructor(args?: AveragePooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', AveragePooling3D, { module: 'keras.layers', className: 'AveragePooling3D' });
