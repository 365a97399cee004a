import { type Config, registerClass } from '@strata/core';
import { serializeActivation } from '../activations/activation';
import { serializeConstraint } from '../constraints/constraint';
import { serializeInitializer } from '../initializers/initializer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { LSTMCell, type LSTMCellArgs } from './lstm-cell';
import { RNN, type RNNArgs } from './rnn';

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
    const { name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer, ...rest } = a;
    const cell = new LSTMCell({ ...rest, name: 'lstm_cell', dtype, trainable });
    super(cell, { ...rest, name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer });
  }

  declare readonly cell: LSTMCell;

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
      unit_forget_bias: c.unitForgetBias,
      kernel_regularizer: serializeRegularizer(c.kernelRegularizer),
      recurrent_regularizer: serializeRegularizer(c.recurrentRegularizer),
      bias_regularizer: serializeRegularizer(c.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(c.kernelConstraint),
      recurrent_constraint: serializeConstraint(c.recurrentConstraint),
      bias_constraint: serializeConstraint(c.biasConstraint),
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
      seed: c.seed,
    };
  }
}
registerClass('layer', LSTM, { module: 'keras.layers', className: 'LSTM' });
