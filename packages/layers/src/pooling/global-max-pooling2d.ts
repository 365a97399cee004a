import { registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalMaxPooling2DArgs = GlobalPoolingArgs;

/** `keras.layers.GlobalMaxPooling2D`: the maximum over the 2 spatial axes of each channel. */
export class GlobalMaxPooling2D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling2D';
  protected readonly mode: PoolMode = 'max';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalMaxPooling2DArgs, 'dataFormat'>);
  constructor(args?: GlobalMaxPooling2DArgs);
  constructor(...args: unknown[]) {
    super(2, args);
  }
}
registerClass('layer', GlobalMaxPooling2D, { module: 'keras.layers', className: 'GlobalMaxPooling2D' });
