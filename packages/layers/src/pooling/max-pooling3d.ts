import { registerClass } from '@strata/core';
import type { Padding } from '../utils/args';
import { BasePooling, type PoolingArgs, type PoolMode } from './base-pooling';

export type MaxPooling3DArgs = PoolingArgs;

/**
 * `keras.layers.MaxPooling3D`: maximum over `poolSize` windows of each channel (3-D; defaults: pool_size 2,
 * strides = pool_size, padding 'valid').
 */
export class MaxPooling3D extends BasePooling {
  static override className = 'MaxPooling3D';
  protected readonly mode: PoolMode = 'max';

  constructor(
    poolSize?: number | [number, number, number],
    strides?: number | [number, number, number] | null,
    padding?: Padding,
    options?: Omit<MaxPooling3DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number, number, number], options?: Omit<MaxPooling3DArgs, 'poolSize'>);
  constructor(args?: MaxPooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', MaxPooling3D, { module: 'keras.layers', className: 'MaxPooling3D' });
