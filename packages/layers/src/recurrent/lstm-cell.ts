import { type Config, type DataType, type Shape, type Tensor, type Variable, ops, registerClass } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { positional } from '../utils/args';
import { RNNCell, type RNNCellArgs } from './rnn-cell';

export interface LSTMCellArgs extends RNNCellArgs {
  /** Default `'sigmoid'`. */
  recurrentActivation?: ActivationIdentifier;
  /** Adds 1 to the forget-gate bias at initialization (default true). */
  unitForgetBias?: boolean;
}

/**
 * `keras.layers.LSTMCell`. Gate blocks along the last axis in order i, f, c, o:
 * `z = x@K + h@R + b; i=σ(z_i); f=σ(z_f); c=f*c + i*tanh(z_c); o=σ(z_o); h=o*tanh(c)`.
 * States `[h, c]`.
 */
export class LSTMCell extends RNNCell {
  static override className = 'LSTMCell';

  readonly recurrentActivation: ActivationFn;
  readonly unitForgetBias: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options?: Omit<LSTMCellArgs, 'units'>);
  constructor(args: LSTMCellArgs);
  constructor(...args: unknown[]) {
    const a = positional<LSTMCellArgs>(['units'], args);
    super(a);
    this.recurrentActivation = getActivation(a.recurrentActivation === undefined ? 'sigmoid' : a.recurrentActivation);
    this.unitForgetBias = a.unitForgetBias ?? true;
  }

  get stateSize(): number[] {
    return [this.units, this.units];
  }

  override build(inputShape: Shape | Shape[]): void {
    const inputDim = this.inputDim(inputShape);
    const u = this.units;
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [inputDim, 4 * u],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.recurrentKernel = this.addWeight({
      name: 'recurrent_kernel',
      shape: [u, 4 * u],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
      constraint: this.recurrentConstraint,
    });
    if (this.useBias) {
      const init = this.biasInitializer;
      const initializer = this.unitForgetBias
        ? (_shape: number[], dtype?: DataType) =>
            ops.concatenate([init.apply([u], dtype), ops.ones([u], dtype), init.apply([2 * u], dtype)], 0)
        : init;
      this.bias = this.addWeight({
        name: 'bias',
        shape: [4 * u],
        initializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]] {
    const h = this.maskState(states[0]!, training);
    const cPrev = states[1]!;
    let z = ops.add(ops.matmul(this.maskInputs(x, training), this.kernel!.value), ops.matmul(h, this.recurrentKernel!.value));
    if (this.bias != null) z = ops.add(z, this.bias.value);
    const [zi, zf, zc, zo] = ops.split(z, 4, 1);
    const i = this.recurrentActivation(zi!);
    const f = this.recurrentActivation(zf!);
    const c = ops.add(ops.multiply(f, cPrev), ops.multiply(i, this.activation(zc!)));
    const o = this.recurrentActivation(zo!);
    const hNew = ops.multiply(o, this.activation(c));
    return [hNew, [hNew, c]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      ...this.commonConfig(),
      recurrent_activation: serializeActivation(this.recurrentActivation),
      unit_forget_bias: this.unitForgetBias,
    };
  }
}
registerClass('layer', LSTMCell, { module: 'keras.layers', className: 'LSTMCell' });
