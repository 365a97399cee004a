import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface ZeroPadding3DArgs extends PadCropArgs {
  padding?: number | [number, number, number] | [[number, number], [number, number], [number, number]];
}

/** `keras.layers.ZeroPadding3D`: pads the three spatial axes with zeros: an int, `(d1, d2, d3)` or three `(before, after)` pairs. */
export class ZeroPadding3D extends PadCropBase {
  static override className = 'ZeroPadding3D';
  protected readonly sign = 1 as const;

  constructor(padding?: ZeroPadding3DArgs['padding'], dataFormat?: DataFormat | null, options?: Omit<ZeroPadding3DArgs, 'padding' | 'dataFormat'>);
  constructor(padding?: ZeroPadding3DArgs['padding'], options?: Omit<ZeroPadding3DArgs, 'padding'>);
  constructor(args?: ZeroPadding3DArgs);
  constructor(...args: unknown[]) {
    super(3, 'padding', [[1, 1], [1, 1], [1, 1]], args, true);
  }

  get padding(): [number, number][] {
    return this.pairs.map((p) => [...p] as [number, number]);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), padding: this.pairsConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', ZeroPadding3D, { module: 'keras.layers', className: 'ZeroPadding3D' });
