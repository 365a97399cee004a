import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { BaseConv, type ConvArgs } from './base-conv';
import type { ConvPadding } from './conv-ops';

export type Conv1DArgs = ConvArgs;

/** `keras.layers.Conv1D`: 1-D convolution (temporal); kernel `(k, in / groups, filters)`; padding `valid`, `same` or `causal`. */
export class Conv1D extends BaseConv {
  static override className = 'Conv1D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvArgs, 'filters' | 'kernelSize'>);
  constructor(filters: number, kernelSize: number | number[], strides?: number | number[], padding?: ConvPadding, options?: Omit<ConvArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>);
  constructor(args: ConvArgs);
  constructor(...args: unknown[]) {
    super(1, positional<ConvArgs>(['filters', 'kernelSize', 'strides', 'padding'], args), ['valid', 'same', 'causal']);
  }
}
registerClass('layer', Conv1D, { module: 'keras.layers', className: 'Conv1D' });
