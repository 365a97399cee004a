import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface Cropping3DArgs extends PadCropArgs {
  cropping?: number | [number, number, number] | [[number, number], [number, number], [number, number]];
}

/** `keras.layers.Cropping3D`: crops the three spatial axes: an int, `(d1, d2, d3)` or three `(before, after)` pairs. */
export class Cropping3D extends PadCropBase {
  static override className = 'Cropping3D';
  protected readonly sign = -1 as const;

  constructor(cropping?: Cropping3DArgs['cropping'], dataFormat?: DataFormat | null, options?: Omit<Cropping3DArgs, 'cropping' | 'dataFormat'>);
  constructor(cropping?: Cropping3DArgs['cropping'], options?: Omit<Cropping3DArgs, 'cropping'>);
  constructor(args?: Cropping3DArgs);
  constructor(...args: unknown[]) {
    super(3, 'cropping', [[1, 1], [1, 1], [1, 1]], args, true);
  }

  get cropping(): [number, number][] {
    return this.pairs.map((p) => [...p] as [number, number]);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cropping: this.pairsConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', Cropping3D, { module: 'keras.layers', className: 'Cropping3D' });
