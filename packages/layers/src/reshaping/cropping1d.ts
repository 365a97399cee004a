import { type Config, registerClass } from '@strata/core';

import { type PadCropArgs, PadCropBase } from './spatial-utils';

export interface Cropping1DArgs extends PadCropArgs {
  cropping?: number | [number, number];
}

/** `keras.layers.Cropping1D`: crops the steps axis: an int or `(left, right)`. */
export class Cropping1D extends PadCropBase {
  static override className = 'Cropping1D';
  protected readonly sign = -1 as const;

  constructor(cropping?: Cropping1DArgs['cropping'], options?: Omit<Cropping1DArgs, 'cropping'>);
  constructor(args?: Cropping1DArgs);
  constructor(...args: unknown[]) {
    super(1, 'cropping', [1, 1], args, false);
  }

  get cropping(): [number, number] {
    return [...this.pairs[0]!] as [number, number];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cropping: this.cropping };
  }
}
registerClass('layer', Cropping1D, { module: 'keras.layers', className: 'Cropping1D' });
