import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConv, type ConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv2DArgs = ConvArgs;

/** `keras.layers.Conv2D`: 2-D convolution; kernel `(kh, kw, in / groups, filters)`; padding `valid` or `same`. */
export class Conv2D extends BaseConv {
  static override className = 'Conv2D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvArgs);
  constructor(...args: unknown[]) {
    super(2, positional<ConvArgs>(['filters', 'kernelSize', 'strides', 'padding'], args), ['valid', 'same']);
  }
}
registerClass('layer', Conv2D, { module: 'keras.layers', className: 'Conv2D' });
