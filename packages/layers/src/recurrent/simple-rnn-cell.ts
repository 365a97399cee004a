import { type Config, type Shape, type Tensor, type Variable, ops, registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { RNNCell, type RNNCellArgs } from './rnn-cell';

export type SimpleRNNCellArgs = RNNCellArgs;

/**
 * `keras.layers.SimpleRNNCell`: `h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)`,
 * kernel `(input_dim, units)`, recurrent_kernel `(units, units)`, bias `(units,)`.
 */
export class SimpleRNNCell extends RNNCell {
  static override className = 'SimpleRNNCell';

  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options?: Omit<SimpleRNNCellArgs, 'units'>);
  constructor(args: SimpleRNNCellArgs);
  constructor(...args: unknown[]) {
    super(positional<SimpleRNNCellArgs>(['units'], args));
  }

  get stateSize(): number[] {
    return [this.units];
  }

  override build(inputShape: Shape | Shape[]): void {
    const inputDim = this.inputDim(inputShape);
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [inputDim, this.units],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.recurrentKernel = this.addWeight({
      name: 'recurrent_kernel',
      shape: [this.units, this.units],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
      constraint: this.recurrentConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: 'bias',
        shape: [this.units],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]] {
    let h = ops.matmul(this.maskInputs(x, training), this.kernel!.value);
    if (this.bias != null) h = ops.add(h, this.bias.value);
    const prev = this.maskState(states[0]!, training);
    const out = this.activation(ops.add(h, ops.matmul(prev, this.recurrentKernel!.value)));
    return [out, [out]];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ...this.commonConfig() };
  }
}
registerClass('layer', SimpleRNNCell, { module: 'keras.layers', className: 'SimpleRNNCell' });
