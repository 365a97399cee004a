import { type Config, registerClass } from '@strata/core';

import type { DataFormat } from '../utils/args';
import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface ZeroPadding1DArgs extends PadCropArgs {
  padding?: number | [number, number];
}

/** `keras.layers.ZeroPadding1D`: pads the steps axis with zeros: an int `p` or `(left, right)`. */
export class ZeroPadding1D extends PadCropBase {
  static override className = 'ZeroPadding1D';
  protected readonly sign = 1 as const;

  constructor(padding?: ZeroPadding1DArgs['padding'], dataFormat?: DataFormat | null, options?: Omit<ZeroPadding1DArgs, 'padding' | 'dataFormat'>);
  constructor(padding?: ZeroPadding1DArgs['padding'], options?: Omit<ZeroPadding1DArgs, 'padding'>);
  constructor(args?: ZeroPadding1DArgs);
  constructor(...args: unknown[]) {
    super(1, 'padding', 1, args, true);
  }

  get padding(): [number, number] {
    return [...this.pairs[0]!] as [number, number];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), padding: this.padding, data_format: this.dataFormat };
  }
}
registerClass('layer', ZeroPadding1D, { module: 'keras.layers', className: 'ZeroPadding1D' });
