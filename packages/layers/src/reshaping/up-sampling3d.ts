import { type Config, registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { type UpSamplingArgs, UpSamplingBase } from './up-sampling-base';

export interface UpSampling3DArgs extends Omit<UpSamplingArgs, 'interpolation'> {
  size?: number | [number, number, number];
}

/** `keras.layers.UpSampling3D`: repeats entries `size` times (default `(2, 2, 2)`) along the three spatial axes. */
export class UpSampling3D extends UpSamplingBase {
  static override className = 'UpSampling3D';

  constructor(size?: number | [number, number, number], dataFormat?: DataFormat | null, options?: Omit<UpSampling3DArgs, 'size' | 'dataFormat'>);
  constructor(size: number | [number, number, number], options?: Omit<UpSampling3DArgs, 'size'>);
  constructor(args?: UpSampling3DArgs);
  constructor(...args: unknown[]) {
    super(3, ['size', 'dataFormat'], args, 2);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), size: [...this.size], data_format: this.dataFormat };
  }
}
registerClass('layer', UpSampling3D, { module: 'keras.layers', className: 'UpSampling3D' });
