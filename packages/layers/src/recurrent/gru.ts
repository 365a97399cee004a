import { type Config, registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { GRUCell, type GRUCellArgs } from './gru-cell';
import { RNN, type RNNArgs, splitCellArgs } from './rnn';

export interface GRUArgs extends GRUCellArgs, Omit<RNNArgs, 'cell'> {
  /** Accepted for Keras compatibility (`'auto'`, true, false); the loop is the same either way. */
  useCudnn?: boolean | 'auto';
}

/**
 * `keras.layers.GRU`: an RNN over a `GRUCell` named `gru_cell` (weights
 * `gru/gru_cell/kernel`, `recurrent_kernel`, `bias`).
 */
export class GRU extends RNN {
  static override className = 'GRU';

  constructor(units: number, options?: Omit<GRUArgs, 'units'>);
  constructor(args: GRUArgs);
  constructor(...args: unknown[]) {
    const a = positional<GRUArgs>(['units'], args);
    const { cellArgs, layerArgs } = splitCellArgs(a, 'gru_cell');
    super(new GRUCell(cellArgs), layerArgs);
  }

  declare readonly cell: GRUCell;

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Config {
    return this.ownedCellConfig();
  }
}
registerClass('layer', GRU, { module: 'keras.layers', className: 'GRU' });
