import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface ZeroPadding2DArgs extends PadCropArgs {
  padding?: number | [number, number] | [[number, number], [number, number]];
}

/** `keras.layers.ZeroPadding2D`: pads rows and columns with zeros: an int, `(h, w)` (symmetric) or `((top, bottom), (left, right))`. */
export class ZeroPadding2D extends PadCropBase {
  static override className = 'ZeroPadding2D';
  protected readonly sign = 1 as const;

  constructor(padding?: ZeroPadding2DArgs['padding'], dataFormat?: DataFormat | null, options?: Omit<ZeroPadding2DArgs, 'padding' | 'dataFormat'>);
  constructor(padding?: ZeroPadding2DArgs['padding'], options?: Omit<ZeroPadding2DArgs, 'padding'>);
  constructor(args?: ZeroPadding2DArgs);
  constructor(...args: unknown[]) {
    super(2, 'padding', [1, 1], args, true);
  }

  get padding(): [number, number][] {
    return this.pairs.map((p) => [...p] as [number, number]);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), padding: this.pairsConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', ZeroPadding2D, { module: 'keras.layers', className: 'ZeroPadding2D' });
