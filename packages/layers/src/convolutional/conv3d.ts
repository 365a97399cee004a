import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConv, type ConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv3DArgs = ConvArgs;

/** `keras.layers.Conv3D`: 3-D convolution; kernel `(kd, kh, kw, in / groups, filters)`. */
export class Conv3D extends BaseConv {
  static override className = 'Conv3D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvArgs);
  constructor(...args: unknown[]) {
    super(3, positional<ConvArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', Conv3D, { module: 'keras.layers', className: 'Conv3D' });
