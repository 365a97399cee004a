import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConvTranspose, type ConvTransposeArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv3DTransposeArgs = ConvTransposeArgs;

/** `keras.layers.Conv3DTranspose`: 3-D transposed convolution; kernel `(kd, kh, kw, filters, in)`. */
export class Conv3DTranspose extends BaseConvTranspose {
  static override className = 'Conv3DTranspose';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(3, positional<ConvTransposeArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', Conv3DTranspose, { module: 'keras.layers', className: 'Conv3DTranspose' });
