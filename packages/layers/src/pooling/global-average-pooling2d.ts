import { registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalAveragePooling2DArgs = GlobalPoolingArgs;

/** `keras.layers.GlobalAveragePooling2D`: the mean over the 2 spatial axes of each channel. */
export class GlobalAveragePooling2D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling2D';
  protected readonly mode: PoolMode = 'average';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalAveragePooling2DArgs, 'dataFormat'>);
  constructor(args?: GlobalAveragePooling2DArgs);
  constructor(...args: unknown[]) {
    super(2, args);
  }
}
registerClass('layer', GlobalAveragePooling2D, { module: 'keras.layers', className: 'GlobalAveragePooling2D' });
