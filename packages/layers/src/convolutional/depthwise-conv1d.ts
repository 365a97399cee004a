import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseDepthwiseConv, type DepthwiseConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type DepthwiseConv1DArgs = DepthwiseConvArgs;

/** `keras.layers.DepthwiseConv1D`: 1-D depthwise convolution; kernel `(k, in, depth_multiplier)`. */
export class DepthwiseConv1D extends BaseDepthwiseConv {
  static override className = 'DepthwiseConv1D';

  constructor(kernelSize: number | number[], options?: Omit<DepthwiseConvArgs, 'kernelSize'>);
  constructor(kernelSize: number | number[], strides: number | number[], padding: ConvPadding, options?: Omit<DepthwiseConvArgs, 'kernelSize' | 'strides' | 'padding'>);
  constructor(kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, depthMultiplier?: number, options?: Omit<DepthwiseConvArgs, 'kernelSize' | 'strides' | 'padding' | 'depthMultiplier'>);
  constructor(args: DepthwiseConvArgs);
  constructor(...args: unknown[]) {
    super(1, positional<DepthwiseConvArgs>(['kernelSize', 'strides', 'padding', 'depthMultiplier'], args));
  }
}
registerClass('layer', DepthwiseConv1D, { module: 'keras.layers', className: 'DepthwiseConv1D' });
