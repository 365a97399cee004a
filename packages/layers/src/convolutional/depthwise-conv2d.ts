import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseDepthwiseConv, type DepthwiseConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type DepthwiseConv2DArgs = DepthwiseConvArgs;

/** `keras.layers.DepthwiseConv2D`: 2-D depthwise convolution: each input channel is convolved with its own `depth_multiplier` filters; kernel `(kh, kw, in, depth_multiplier)`. */
export class DepthwiseConv2D extends BaseDepthwiseConv {
  static override className = 'DepthwiseConv2D';

  constructor(kernelSize: number | number[], options?: Omit<DepthwiseConvArgs, 'kernelSize'>);
  constructor(kernelSize: number | number[], strides: number | number[], padding: ConvPadding, options?: Omit<DepthwiseConvArgs, 'kernelSize' | 'strides' | 'padding'>);
  constructor(kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, depthMultiplier?: number, options?: Omit<DepthwiseConvArgs, 'kernelSize' | 'strides' | 'padding' | 'depthMultiplier'>);
  constructor(args: DepthwiseConvArgs);
  constructor(...args: unknown[]) {
    super(2, positional<DepthwiseConvArgs>(['kernelSize', 'strides', 'padding', 'depthMultiplier'], args));
  }
}
registerClass('layer', DepthwiseConv2D, { module: 'keras.layers', className: 'DepthwiseConv2D' });
