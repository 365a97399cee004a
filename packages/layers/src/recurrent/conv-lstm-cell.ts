import '../builtins';
import { type Config, type DataType, type Dim, type Shape, type Tensor, ValueError, type Variable, ops } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { serializeConstraint } from '../constraints/constraint';
import { type ConvPadding, convLength, convNd, explicitPads } from '../convolutional/conv-ops';
import { serializeInitializer } from '../initializers/initializer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { type DataFormat, normalizeDataFormat, normalizePadding, normalizeTuple } from '../utils/args';
import { RNNCell, type RNNCellArgs } from './rnn-cell';

export interface ConvLSTMCellArgs extends Omit<RNNCellArgs, 'units'> {
  /** Number of output channels of each gate convolution. */
  filters?: number;
  kernelSize?: number | number[];
  /** Strides of the input convolution (default 1); the recurrent one always uses 1. */
  strides?: number | number[];
  /** Padding of the input convolution (default `'valid'`); the recurrent one always uses `'same'`. */
  padding?: 'valid' | 'same';
  dataFormat?: DataFormat | null;
  dilationRate?: number | number[];
  /** Default `'sigmoid'`. */
  recurrentActivation?: ActivationIdentifier;
  /** Adds 1 to the forget-gate bias at initialization (default true). */
  unitForgetBias?: boolean;
}

/**
 * Keras `ConvLSTMCell` (rank 1, 2 or 3): an LSTM step whose matrix products are convolutions.
 * Gate blocks along the last kernel axis in order i, f, c, o:
 * `z = conv(x, K) + b + conv_same(h, R); c = σ(z_f)*c + σ(z_i)*tanh(z_c); h = σ(z_o)*tanh(c)`.
 * States `[h, c]`, each `(batch, out_spatial..., filters)`. The step always runs channels_last;
 * the ConvLSTM layer transposes channels_first data around it.
 */
export class ConvLSTMCell extends RNNCell {
  static override className = 'ConvLSTMCell';

  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly recurrentActivation: ActivationFn;
  readonly unitForgetBias: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(rank: number, a: ConvLSTMCellArgs) {
    super({ ...a, units: a.filters });
    if (![1, 2, 3].includes(rank)) throw new ValueError(`ConvLSTMCell: rank must be 1, 2 or 3. Received rank=${rank}`);
    this.rank = rank;
    this.filters = this.units;
    if (a.kernelSize == null) throw new ValueError(`ConvLSTMCell "${this.name}": \`kernel_size\` is required.`);
    this.kernelSize = normalizeTuple(a.kernelSize, rank, 'kernel_size');
    this.strides = normalizeTuple(a.strides ?? 1, rank, 'strides');
    this.padding = normalizePadding(a.padding);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.dilationRate = normalizeTuple(a.dilationRate ?? 1, rank, 'dilation_rate');
    this.recurrentActivation = getActivation(a.recurrentActivation === undefined ? 'sigmoid' : a.recurrentActivation);
    this.unitForgetBias = a.unitForgetBias ?? true;
  }

  get stateSize(): number[] {
    return [this.filters, this.filters];
  }

  /** Output spatial shape of the input convolution for channels_last step input `(batch, spatial..., ch)`. */
  outputSpatial(stepShape: readonly Dim[]): Dim[] {
    return this.kernelSize.map((k, i) =>
      convLength(stepShape[i + 1] ?? null, k, this.strides[i]!, this.dilationRate[i]!, this.padding as ConvPadding),
    );
  }

  /** Builds from a channels_last step input shape `(batch, spatial..., channels)`. */
  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) {
      throw new ValueError(`ConvLSTMCell "${this.name}": the channel dimension of the inputs should be defined. Received ${String(shape)}.`);
    }
    const f = this.filters;
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, inputDim, 4 * f],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.recurrentKernel = this.addWeight({
      name: 'recurrent_kernel',
      shape: [...this.kernelSize, f, 4 * f],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
      constraint: this.recurrentConstraint,
    });
    if (this.useBias) {
      const init = this.biasInitializer;
      const initializer = this.unitForgetBias
        ? (_shape: number[], dtype?: DataType) =>
            ops.concatenate([init.apply([f], dtype), ops.ones([f], dtype), init.apply([2 * f], dtype)], 0)
        : init;
      this.bias = this.addWeight({
        name: 'bias',
        shape: [4 * f],
        initializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  /** Zero `[h, c]` for a channels_last step input of shape `(batch, spatial..., channels)`. */
  initialStateFor(stepShape: readonly number[]): Tensor[] {
    const shape = [stepShape[0]!, ...(this.outputSpatial(stepShape) as number[]), this.filters];
    return [ops.zeros(shape, 'float32'), ops.zeros(shape, 'float32')];
  }

  override getInitialState(_batchSize: number): Tensor[] {
    throw new ValueError(`ConvLSTMCell "${this.name}": initial states depend on the spatial input shape; use initialStateFor(stepShape).`);
  }

  override call(inputs: Tensor | Tensor[], args: { training?: boolean } = {}): Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [x, ...given] = list;
    const states = given.length > 0 ? given : this.initialStateFor(x!.shape);
    const [out, next] = this.step(x!.dtype === 'float32' ? x! : ops.cast(x!, 'float32'), states, args.training ?? false);
    return [out, ...next];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    const out = [shape[0] ?? null, ...this.outputSpatial(shape), this.filters];
    return [out, out, out];
  }

  step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]] {
    const h = this.maskState(states[0]!, training);
    const cPrev = states[1]!;
    const xm = this.maskInputs(x, training);
    const inPads = this.kernelSize.map((k, i) => explicitPads(xm.shape[i + 1]!, k, this.strides[i]!, this.dilationRate[i]!, this.padding));
    let z = convNd(xm, this.kernel!.value, this.strides, this.dilationRate, inPads);
    if (this.bias != null) z = ops.add(z, this.bias.value);
    const ones = this.kernelSize.map(() => 1);
    const recPads = this.kernelSize.map((k, i) => explicitPads(h.shape[i + 1]!, k, 1, 1, 'same'));
    z = ops.add(z, convNd(h, this.recurrentKernel!.value, ones, ones, recPads));
    const [zi, zf, zc, zo] = ops.split(z, 4, z.rank - 1);
    const i = this.recurrentActivation(zi!);
    const f = this.recurrentActivation(zf!);
    const c = ops.add(ops.multiply(f, cPrev), ops.multiply(i, this.activation(zc!)));
    const o = this.recurrentActivation(zo!);
    const hNew = ops.multiply(o, this.activation(c));
    return [hNew, [hNew, c]];
  }

  /** The conv-specific config keys (Keras `ConvLSTM.get_config`, without the RNN keys). */
  convConfig(): Config {
    return {
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: serializeActivation(this.activation),
      recurrent_activation: serializeActivation(this.recurrentActivation),
      use_bias: this.useBias,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      recurrent_initializer: serializeInitializer(this.recurrentInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      unit_forget_bias: this.unitForgetBias,
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      recurrent_regularizer: serializeRegularizer(this.recurrentRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      recurrent_constraint: serializeConstraint(this.recurrentConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      seed: this.seed,
    };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ...this.convConfig() };
  }
}
