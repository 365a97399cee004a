import { registerClass } from '@strata/core';
import type { DataFormat } from '../utils/args';
import { BaseGlobalPooling, type GlobalPoolingArgs, type PoolMode } from './base-pooling';

export type GlobalMaxPooling1DArgs = GlobalPoolingArgs;

/** `keras.layers.GlobalMaxPooling1D`: the maximum over the 1 spatial axis of each channel. */
export class GlobalMaxPooling1D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling1D';
  protected readonly mode: PoolMode = 'max';

  constructor(dataFormat?: DataFormat | null, options?: Omit<GlobalMaxPooling1DArgs, 'dataFormat'>);
  constructor(args?: GlobalMaxPooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', GlobalMaxPooling1D, { module: 'keras.layers', className: 'GlobalMaxPooling1D' });
