import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface Cropping2DArgs extends PadCropArgs {
  cropping?: number | [number, number] | [[number, number], [number, number]];
}

/** `keras.layers.Cropping2D`: crops rows and columns: an int, `(h, w)` (symmetric) or `((top, bottom), (left, right))`. */
export class Cropping2D extends PadCropBase {
  static override className = 'Cropping2D';
  protected readonly sign = -1 as const;

  constructor(cropping?: Cropping2DArgs['cropping'], dataFormat?: DataFormat | null, options?: Omit<Cropping2DArgs, 'cropping' | 'dataFormat'>);
  constructor(cropping?: Cropping2DArgs['cropping'], options?: Omit<Cropping2DArgs, 'cropping'>);
  constructor(args?: Cropping2DArgs);
  constructor(...args: unknown[]) {
    super(2, 'cropping', [[0, 0], [0, 0]], args, true);
  }

  get cropping(): [number, number][] {
    return this.pairs.map((p) => [...p] as [number, number]);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cropping: this.pairsConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', Cropping2D, { module: 'keras.layers', className: 'Cropping2D' });
