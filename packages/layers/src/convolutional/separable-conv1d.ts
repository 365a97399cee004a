import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseSeparableConv, type SeparableConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type SeparableConv1DArgs = SeparableConvArgs;

/** `keras.layers.SeparableConv1D`: 1-D depthwise separable convolution (depthwise, then pointwise). */
export class SeparableConv1D extends BaseSeparableConv {
  static override className = 'SeparableConv1D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<SeparableConvArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<SeparableConvArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: SeparableConvArgs);
  constructor(...args: unknown[]) {
    super(1, positional<SeparableConvArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', SeparableConv1D, { module: 'keras.layers', className: 'SeparableConv1D' });
