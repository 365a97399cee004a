import { type Config, registerClass } from '@strata/core';
import { type UpSamplingArgs, UpSamplingBase } from './up-sampling-base';

export interface UpSampling1DArgs extends Omit<UpSamplingArgs, 'size' | 'dataFormat' | 'interpolation'> {
  /** Repetitions of each step (default 2). */
  size?: number;
}

/** `keras.layers.UpSampling1D`: repeats each step `size` times along the steps axis. */
export class UpSampling1D extends UpSamplingBase {
  static override className = 'UpSampling1D';

  constructor(size?: number, options?: Omit<UpSampling1DArgs, 'size'>);
  constructor(args?: UpSampling1DArgs);
  constructor(...args: unknown[]) {
    super(1, ['size'], args, 2);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), size: this.size[0]! };
  }
}
registerClass('layer', UpSampling1D, { module: 'keras.layers', className: 'UpSampling1D' });
