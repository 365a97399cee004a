import { type Config, registerClass } from '@strata/core';
import { serializeActivation } from '../activations/activation';
import { serializeConstraint } from '../constraints/constraint';
import { serializeInitializer } from '../initializers/initializer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { GRUCell, type GRUCellArgs } from './gru-cell';
import { RNN, type RNNArgs } from './rnn';

export interface GRUArgs extends GRUCellArgs, Omit<RNNArgs, 'cell'> {
  /** Accepted for Keras compatibility (`'auto'`, true, false); the loop is the same either way. */
  useCudnn?: boolean | 'auto';
}

/**
 * `keras.layers.LSTM`: an RNN over an `GRUCell` named `lstm_cell` (weights
 * `lstm/lstm_cell/kernel`, `recurrent_kernel`, `bias`).
 */
export class GRU extends RNN {
  static override className = 'GRU';

  constructor(units: number, options?: Omit<GRUArgs, 'units'>);
  constructor(args: GRUArgs);
  constructor(...args: unknown[]) {
    const a = positional<GRUArgs>(['units'], args);
    const { name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer, ...rest } = a;
    const cell = new GRUCell({ ...rest, name: 'gru_cell', dtype, trainable });
    super(cell, { ...rest, name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer });
  }

  declare readonly cell: GRUCell;

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Config {
    const c = this.cell;
    return {
      ...this.rnnConfig(),
      units: c.units,
      activation: serializeActivation(c.activation),
      recurrent_activation: serializeActivation(c.recurrentActivation),
      use_bias: c.useBias,
      kernel_initializer: serializeInitializer(c.kernelInitializer),
      recurrent_initializer: serializeInitializer(c.recurrentInitializer),
      bias_initializer: serializeInitializer(c.biasInitializer),
      kernel_regularizer: serializeRegularizer(c.kernelRegularizer),
      recurrent_regularizer: serializeRegularizer(c.recurrentRegularizer),
      bias_regularizer: serializeRegularizer(c.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(c.kernelConstraint),
      recurrent_constraint: serializeConstraint(c.recurrentConstraint),
      bias_constraint: serializeConstraint(c.biasConstraint),
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
      reset_after: c.resetAfter,
      seed: c.seed,
    };
  }
}
registerClass('layer', GRU, { module: 'keras.layers', className: 'GRU' });
