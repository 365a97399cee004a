import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConvTranspose, type ConvTransposeArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv1DTransposeArgs = ConvTransposeArgs;

/** `keras.layers.Conv1DTranspose`: 1-D transposed convolution; kernel `(k, filters, in)`. */
export class Conv1DTranspose extends BaseConvTranspose {
  static override className = 'Conv1DTranspose';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvTransposeArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(1, positional<ConvTransposeArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', Conv1DTranspose, { module: 'keras.layers', className: 'Conv1DTranspose' });
