import { type Config, registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { LSTMCell, type LSTMCellArgs } from './lstm-cell';
import { RNN, type RNNArgs, splitCellArgs } from './rnn';

export interface LSTMArgs extends LSTMCellArgs, Omit<RNNArgs, 'cell'> {}

/**
 * `keras.layers.LSTM`: an RNN over an `LSTMCell` named `lstm_cell` (weights
 * `lstm/lstm_cell/kernel`, `recurrent_kernel`, `bias`).
 */
export class LSTM extends RNN {
  static override className = 'LSTM';

  constructor(units: number, options?: Omit<LSTMArgs, 'units'>);
  constructor(args: LSTMArgs);
  constructor(...args: unknown[]) {
    const a = positional<LSTMArgs>(['units'], args);
    const { cellArgs, layerArgs } = splitCellArgs(a, 'lstm_cell');
    super(new LSTMCell(cellArgs), layerArgs);
  }

  declare readonly cell: LSTMCell;

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Config {
    return this.ownedCellConfig();
  }
}
registerClass('layer', LSTM, { module: 'keras.layers', className: 'LSTM' });
