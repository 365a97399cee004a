import { type Config, registerClass } from '@strata/core';
import { serializeActivation } from '../activations/activation';
import { serializeConstraint } from '../constraints/constraint';
import { serializeInitializer } from '../initializers/initializer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { SimpleRNNCell, type SimpleRNNCellArgs } from './simple-rnn-cell';
import { RNN, type RNNArgs } from './rnn';

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
    const { name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer, ...rest } = a;
    const cell = new SimpleRNNCell({ ...rest, name: 'simple_rnn_cell', dtype, trainable });
    super(cell, { ...rest, name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer });
  }

  declare readonly cell: SimpleRNNCell;

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Config {
    const c = this.cell;
    return {
      ...this.rnnConfig(),
      units: c.units,
      activation: serializeActivation(c.activation),
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
      seed: c.seed,
    };
  }
}
registerClass('layer', SimpleRNN, { module: 'keras.layers', className: 'SimpleRNN' });
