import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { ConvLSTM, type ConvLSTMArgs } from './conv-lstm';

/**
 * `keras.layers.ConvLSTM2D`: a 2-D convolutional LSTM over inputs `(batch, time, rows, cols, channels)`
 * (channels_last) or with the channels right after `time` (channels_first). See `ConvLSTM`.
 */
export class ConvLSTM2D extends ConvLSTM {
  static override className = 'ConvLSTM2D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvLSTMArgs, 'filters' | 'kernelSize'>);
  constructor(args: ConvLSTMArgs);
  constructor(...args: unknown[]) {
    super(2, positional<ConvLSTMArgs>(['filters', 'kernelSize'], args));
  }
}
registerClass('layer', ConvLSTM2D, { module: 'keras.layers', className: 'ConvLSTM2D' });
