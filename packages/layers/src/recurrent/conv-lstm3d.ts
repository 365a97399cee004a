import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { ConvLSTM, type ConvLSTMArgs } from './conv-lstm';

/**
 * `keras.layers.ConvLSTM3D`: a 3-D convolutional LSTM over inputs `(batch, time, dim1, dim2, dim3, channels)`
 * (channels_last) or with the channels right after `time` (channels_first). See `ConvLSTM`.
 */
export class ConvLSTM3D extends ConvLSTM {
  static override className = 'ConvLSTM3D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvLSTMArgs, 'filters' | 'kernelSize'>);
  constructor(args: ConvLSTMArgs);
  constructor(...args: unknown[]) {
    super(3, positional<ConvLSTMArgs>(['filters', 'kernelSize'], args));
  }
}
registerClass('layer', ConvLSTM3D, { module: 'keras.layers', className: 'ConvLSTM3D' });
