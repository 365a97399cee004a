import { type Config, type Shape, type Tensor, type Variable, ops, registerClass } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { positional } from '../utils/args';
import { RNNCell, type RNNCellArgs } from './rnn-cell';

export interface GRUCellArgs extends RNNCellArgs {
  /** Default `'sigmoid'`. */
  recurrentActivation?: ActivationIdentifier;
  /** Apply the reset gate after the recurrent matmul (default true, cuDNN-compatible). */
  resetAfter?: boolean;
}

/**
 * `keras.layers.GRUCell`. Gate blocks z, r, h; `h = z*h_prev + (1-z)*h~`.
 * `reset_after=True` (default): bias `(2, 3u)` = [input bias; recurrent bias] and
 * `h~ = tanh(x_h + r*(h_prev@R_h + rb_h))`; `reset_after=False`: bias `(3u,)` and
 * `h~ = tanh(x_h + (r*h_prev)@R_h)`.
 */
export class GRUCell extends RNNCell {
  static override className = 'GRUCell';

  readonly recurrentActivation: ActivationFn;
  readonly resetAfter: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options?: Omit<GRUCellArgs, 'units'>);
  constructor(args: GRUCellArgs);
  constructor(...args: unknown[]) {
    const a = positional<GRUCellArgs>(['units'], args);
    super(a);
    this.recurrentActivation = getActivation(a.recurrentActivation === undefined ? 'sigmoid' : a.recurrentActivation);
    this.resetAfter = a.resetAfter ?? true;
  }

  get stateSize(): number[] {
    return [this.units];
  }

  override build(inputShape: Shape | Shape[]): void {
    const inputDim = this.inputDim(inputShape);
    const u = this.units;
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [inputDim, 3 * u],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.recurrentKernel = this.addWeight({
      name: 'recurrent_kernel',
      shape: [u, 3 * u],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
      constraint: this.recurrentConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: 'bias',
        shape: this.resetAfter ? [2, 3 * u] : [3 * u],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]] {
    const u = this.units;
    const hPrev = states[0]!;
    const h = this.maskState(hPrev, training);
    let inputBias: Tensor | null = null;
    let recurrentBias: Tensor | null = null;
    if (this.bias != null) {
      if (this.resetAfter) [inputBias, recurrentBias] = ops.unstack(this.bias.value, 0) as [Tensor, Tensor];
      else inputBias = this.bias.value;
    }
    let mx = ops.matmul(this.maskInputs(x, training), this.kernel!.value);
    if (inputBias != null) mx = ops.add(mx, inputBias);
    const [xz, xr, xh] = ops.split(mx, 3, 1) as [Tensor, Tensor, Tensor];
    const rk = this.recurrentKernel!.value;
    let hh: Tensor;
    let z: Tensor;
    if (this.resetAfter) {
      let inner = ops.matmul(h, rk);
      if (recurrentBias != null) inner = ops.add(inner, recurrentBias);
      const [rz, rr, rh] = ops.split(inner, 3, 1) as [Tensor, Tensor, Tensor];
      z = this.recurrentActivation(ops.add(xz, rz));
      const r = this.recurrentActivation(ops.add(xr, rr));
      hh = this.activation(ops.add(xh, ops.multiply(r, rh)));
    } else {
      const inner = ops.matmul(h, ops.slice(rk, [0, 0], [u, 2 * u]));
      const [rz, rr] = ops.split(inner, 2, 1) as [Tensor, Tensor];
      z = this.recurrentActivation(ops.add(xz, rz));
      const r = this.recurrentActivation(ops.add(xr, rr));
      hh = this.activation(ops.add(xh, ops.matmul(ops.multiply(r, h), ops.slice(rk, [0, 2 * u], [u, u]))));
    }
    const out = ops.add(ops.multiply(z, hPrev), ops.multiply(ops.subtract(1, z), hh));
    return [out, [out]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      ...this.commonConfig(),
      recurrent_activation: serializeActivation(this.recurrentActivation),
      reset_after: this.resetAfter,
    };
  }
}
registerClass('layer', GRUCell, { module: 'keras.layers', className: 'GRUCell' });
