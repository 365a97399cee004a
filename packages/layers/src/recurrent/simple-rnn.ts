import { type Config, registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { SimpleRNNCell, type SimpleRNNCellArgs } from './simple-rnn-cell';
import { RNN, type RNNArgs, splitCellArgs } from './rnn';

export interface SimpleRNNArgs extends SimpleRNNCellArgs, Omit<RNNArgs, 'cell'> {}

/**
 * `keras.layers.LSTM`: an RNN over an `SimpleRNNCell` named `lstm_cell` (weights
 * `lstm/lstm_cell/kernel`, `recurrent_kernel`, `bias`).
 */
export class SimpleRNN extends RNN {
  static override className = 'SimpleRNN';

  constructor(units: number, options?: Omit<SimpleRNNArgs, 'units'>);
  constructor(args: SimpleRNNArgs);
  constructor(...args: unknown[]) {
    const a = positional<SimpleRNNArgs>(['units'], args);
    const { cellArgs, layerArgs } = splitCellArgs(a, 'simple_rnn_cell');
    super(new SimpleRNNCell(cellArgs), layerArgs);
  }

  declare readonly cell: SimpleRNNCell;

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Config {
    return this.ownedCellConfig();
  }
}
registerClass('layer', SimpleRNN, { module: 'keras.layers', className: 'SimpleRNN' });
