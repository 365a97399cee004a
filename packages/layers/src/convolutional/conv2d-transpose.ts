import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConvTranspose, type ConvTransposeArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv2DTransposeArgs = ConvTransposeArgs;

/** `keras.layers.Conv2DTranspose`: 2-D transposed convolution; kernel `(kh, kw, filters, in)`. */
export class Conv2DTranspose extends BaseConvTranspose {
  static override className = 'Conv2DTranspose';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(2, positional<ConvTransposeArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', Conv2DTranspose, { module: 'keras.layers', className: 'Conv2DTranspose' });
