import { registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalAveragePooling3DArgs = GlobalPoolingArgs;

/** `keras.layers.GlobalAveragePooling3D`: the mean over the 3 spatial axes of each channel. */
export class GlobalAveragePooling3D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling3D';
  protected readonly mode: PoolMode = 'average';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalAveragePooling3DArgs, 'dataFormat'>);
  constructor(args?: GlobalAveragePooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', GlobalAveragePooling3D, { module: 'keras.layers', className: 'GlobalAveragePooling3D' });
