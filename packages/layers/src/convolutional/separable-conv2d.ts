import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseSeparableConv, type SeparableConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type SeparableConv2DArgs = SeparableConvArgs;

/** `keras.layers.SeparableConv2D`: 2-D depthwise separable convolution (depthwise, then 1x1 pointwise). */
export class SeparableConv2D extends BaseSeparableConv {
  static override className = 'SeparableConv2D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<SeparableConvArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<SeparableConvArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: SeparableConvArgs);
  constructor(...args: unknown[]) {
    super(2, positional<SeparableConvArgs>(['filters', 'kernelSize', 'strides', 'padding'], args));
  }
}
registerClass('layer', SeparableConv2D, { module: 'keras.layers', className: 'SeparableConv2D' });
