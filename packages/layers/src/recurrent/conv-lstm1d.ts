import { registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { ConvLSTM, type ConvLSTMArgs } from './conv-lstm';

/**
 * `keras.layers.ConvLSTM1D`: a 1-D convolutional LSTM over inputs `(batch, time, steps, channels)`
 * (channels_last) or with the channels right after `time` (channels_first). See `ConvLSTM`.
 */
export class ConvLSTM1D extends ConvLSTM {
  static override className = 'ConvLSTM1D';

  constructor(filters: number, kernelSize: number | number[], options?: Omit<ConvLSTMArgs, 'filters' | 'kernelSize'>);
  constructor(args: ConvLSTMArgs);
  constructor(...args: unknown[]) {
    super(1, positional<ConvLSTMArgs>(['filters', 'kernelSize'], args));
  }
}
registerClass('layer', ConvLSTM1D, { module: 'keras.layers', className: 'ConvLSTM1D' });
