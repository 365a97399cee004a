import { registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalMaxPooling3DArgs = GlobalPoolingArgs;

/** `keras.layers.GlobalMaxPooling3D`: the maximum over the 3 spatial axes of each channel. */
export class GlobalMaxPooling3D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling3D';
  protected readonly mode: PoolMode = 'max';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalMaxPooling3DArgs, 'dataFormat'>);
  constructor(args?: GlobalMaxPooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', GlobalMaxPooling3D, { module: 'keras.layers', className: 'GlobalMaxPooling3D' });
