import '../builtins';
import { type Config, type Dim, type Shape, ShapeError, type Tensor, ValueError, type Variable, formatShape, ops, tidy } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { linear } from '../activations/activations';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { Zeros } from '../initializers/constant';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { GlorotUniform } from '../initializers/variance-scaling';
import { InputSpec, assertInputCompatibility } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { type DataFormat, normalizeDataFormat, normalizePadding, normalizeTuple } from '../utils/args';
import { toFloat } from '../utils/tensors';
import {
  type ConvPadding,
  convLength,
  convTransposeNd,
  deconvLength,
  depthwiseNd,
  explicitPads,
  groupedConvNd,
} from './conv-ops';

/** Arguments every convolution family shares (Keras names in camelCase). */
export interface CommonConvArgs extends LayerArgs {
  kernelSize?: number | number[];
  strides?: number | number[];
  padding?: ConvPadding;
  dataFormat?: DataFormat | null;
  dilationRate?: number | number[];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  biasInitializer?: InitializerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  biasConstraint?: ConstraintIdentifier;
}

/** Conv1D / Conv3D arguments (Keras `BaseConv`). */
export interface ConvArgs extends CommonConvArgs {
  filters?: number;
  groups?: number;
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
}

/** DepthwiseConv1D / DepthwiseConv2D arguments (Keras `BaseDepthwiseConv`). */
export interface DepthwiseConvArgs extends CommonConvArgs {
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier;
  depthwiseConstraint?: ConstraintIdentifier;
}

/** SeparableConv1D / SeparableConv2D arguments (Keras `BaseSeparableConv`). */
export interface SeparableConvArgs extends DepthwiseConvArgs {
  filters?: number;
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier;
  pointwiseConstraint?: ConstraintIdentifier;
}

/** Conv1DTranspose / Conv2DTranspose / Conv3DTranspose arguments (Keras `BaseConvTranspose`). */
export interface ConvTransposeArgs extends ConvArgs {
  /** Extra size added to one side of each output axis; each must be < its stride. */
  outputPadding?: number | number[] | null;
}

function positiveInt(value: unknown, name: string, layer: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(
      `Layer "${layer}": invalid value for argument \`${name}\`. Expected a strictly positive integer. Received ${name}=${String(value)}.`,
    );
  }
  return value;
}

/**
 * What every convolution layer here shares: window arguments, data format, activation, bias,
 * input checks, output shapes, the channels_first wrapping and the common config keys.
 */
export abstract class ConvLayerBase extends Layer {
  readonly rank: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly biasInitializer: Initializer;
  readonly biasRegularizer: Regularizer | null;
  readonly biasConstraint: Constraint | null;
  bias: Variable | null = null;

  protected constructor(rank: number, a: CommonConvArgs, paddings: readonly ConvPadding[] = ['valid', 'same']) {
    super(a);
    this.rank = rank;
    if (a.kernelSize == null) throw new ValueError(`${this.className} "${this.name}": \`kernel_size\` is required.`);
    this.kernelSize = normalizeTuple(a.kernelSize, rank, 'kernel_size');
    this.strides = normalizeTuple(a.strides ?? 1, rank, 'strides');
    this.padding = normalizePadding(a.padding, paddings) as ConvPadding;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.dilationRate = normalizeTuple(a.dilationRate ?? 1, rank, 'dilation_rate');
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ValueError(
        `\`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=[${this.strides}] and dilation_rate=[${this.dilationRate}]`,
      );
    }
    this.activation = getActivation(a.activation ?? linear);
    this.useBias = a.useBias ?? true;
    this.biasInitializer = getInitializer(a.biasInitializer ?? new Zeros())!;
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.biasConstraint = getConstraint(a.biasConstraint);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  protected get channelAxis(): number {
    return this.dataFormat === 'channels_last' ? this.rank + 1 : 1;
  }

  /** Checks the input shape and returns its (defined) channel count. */
  protected inputChannels(shape: Shape): number {
    assertInputCompatibility(this.inputSpec, [shape], this.name);
    const c = shape[this.channelAxis];
    if (c == null) {
      throw new ValueError(
        `${this.className} "${this.name}": the channel dimension of the inputs should be defined. Received input shape ${formatShape(shape)}.`,
      );
    }
    return c;
  }

  /** Fixes the channel count in the input spec once the weights exist. */
  protected lockChannels(channels: number): void {
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [this.channelAxis]: channels } });
  }

  protected addBias(channels: number): void {
    if (!this.useBias) return;
    this.bias = this.addWeight({
      name: 'bias',
      shape: [channels],
      initializer: this.biasInitializer,
      regularizer: this.biasRegularizer,
      constraint: this.biasConstraint,
    });
  }

  /** The spatial dims of `shape` (batch and channel axes removed). */
  protected spatialDims(shape: Shape): Dim[] {
    return this.dataFormat === 'channels_last' ? shape.slice(1, this.rank + 1) : shape.slice(2, this.rank + 2);
  }

  protected assembleShape(batch: Dim | undefined, spatial: Dim[], channels: Dim): Shape {
    return this.dataFormat === 'channels_last' ? [batch ?? null, ...spatial, channels] : [batch ?? null, channels, ...spatial];
  }

  /** Forward-convolution output shape with `channels` output channels; rejects empty outputs. */
  protected convOutputShape(shape: Shape, channels: Dim): Shape {
    const spatial = this.spatialDims(shape).map((n, i) => {
      const out = convLength(n, this.kernelSize[i]!, this.strides[i]!, this.dilationRate[i]!, this.padding);
      if (out != null && out <= 0) {
        throw new ShapeError(
          `Layer "${this.name}": computed output size would be negative for input shape ${formatShape(shape)} ` +
            `with kernel_size=(${this.kernelSize.join(', ')}), strides=(${this.strides.join(', ')}), padding=${this.padding}, ` +
            `dilation_rate=(${this.dilationRate.join(', ')}).`,
        );
      }
      return out;
    });
    return this.assembleShape(shape[0], spatial, channels);
  }

  /** Explicit TF paddings for a channels_last input. */
  protected padsFor(x: Tensor) {
    return this.kernelSize.map((k, i) => explicitPads(x.shape[i + 1]!, k, this.strides[i]!, this.dilationRate[i]!, this.padding));
  }

  /** Runs `body` on channels_last float inputs, then adds the bias and applies the activation. */
  protected wrapCall(inputs: LayerOutput, body: (x: Tensor) => Tensor): Tensor {
    return tidy(() => {
      const r = this.rank;
      const spatial = Array.from({ length: r }, (_, i) => i + 1);
      let x = toFloat(inputs as Tensor);
      if (this.dataFormat === 'channels_first') x = ops.transpose(x, [0, ...spatial.map((i) => i + 1), 1]);
      let y = body(x);
      if (this.bias != null) y = ops.add(y, this.bias.value);
      y = this.activation(y);
      if (this.dataFormat === 'channels_first') y = ops.transpose(y, [0, r + 1, ...spatial]);
      return y;
    });
  }

  /** Config keys shared by all families, in Keras order, after `first`. */
  protected commonConfig(first: Config): Config {
    const base = super.getConfig();
    delete base.activity_regularizer;
    return {
      ...base,
      ...first,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
    };
  }
}

/** Keras `BaseConv` for ranks other than 2 (Conv2D has its own file): Conv1D, Conv3D. */
export abstract class BaseConv extends ConvLayerBase {
  readonly filters: number;
  readonly groups: number;
  readonly kernelInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  kernel: Variable | null = null;

  protected constructor(rank: number, a: ConvArgs, paddings?: readonly ConvPadding[]) {
    super(rank, a, paddings);
    this.filters = positiveInt(a.filters, 'filters', this.name);
    this.groups = positiveInt(a.groups ?? 1, 'groups', this.name);
    if (this.filters % this.groups !== 0) {
      throw new ValueError(
        `The number of filters must be evenly divisible by the number of groups. Received: groups=${this.groups}, filters=${this.filters}.`,
      );
    }
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? new GlorotUniform())!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const channels = this.inputChannels(shape);
    if (channels % this.groups !== 0) {
      throw new ValueError(
        `The number of input channels must be evenly divisible by the number of groups. Received groups=${this.groups}, but the input has ${channels} channels (full input shape is ${formatShape(shape)}).`,
      );
    }
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, channels / this.groups, this.filters],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.addBias(this.filters);
    this.lockChannels(channels);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return this.wrapCall(inputs, (x) =>
      groupedConvNd(x, this.kernel!.value, this.strides, this.dilationRate, this.padsFor(x), this.groups),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.convOutputShape(inputShape as Shape, this.filters);
  }

  override getConfig(): Config {
    return {
      ...this.commonConfig({ filters: this.filters }),
      groups: this.groups,
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
    };
  }
}

/** Keras `BaseDepthwiseConv`: DepthwiseConv1D, DepthwiseConv2D; weight `kernel` (k..., in, multiplier). */
export abstract class BaseDepthwiseConv extends ConvLayerBase {
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  kernel: Variable | null = null;

  protected constructor(rank: number, a: DepthwiseConvArgs) {
    super(rank, a);
    this.depthMultiplier = positiveInt(a.depthMultiplier ?? 1, 'depth_multiplier', this.name);
    this.depthwiseInitializer = getInitializer(a.depthwiseInitializer ?? new GlorotUniform())!;
    this.depthwiseRegularizer = getRegularizer(a.depthwiseRegularizer);
    this.depthwiseConstraint = getConstraint(a.depthwiseConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const channels = this.inputChannels(shape);
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
    });
    this.addBias(channels * this.depthMultiplier);
    this.lockChannels(channels);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return this.wrapCall(inputs, (x) => depthwiseNd(x, this.kernel!.value, this.strides, this.dilationRate, this.padsFor(x)));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const c = shape[this.channelAxis];
    return this.convOutputShape(shape, c == null ? null : c * this.depthMultiplier);
  }

  override getConfig(): Config {
    return {
      ...this.commonConfig({ depth_multiplier: this.depthMultiplier }),
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: serializeInitializer(this.depthwiseInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      depthwise_regularizer: serializeRegularizer(this.depthwiseRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      depthwise_constraint: serializeConstraint(this.depthwiseConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
    };
  }
}

/**
 * Keras `BaseSeparableConv`: a depthwise convolution then a 1x1 pointwise one. Weights
 * `depthwise_kernel` (k..., in, multiplier), `pointwise_kernel` (1..., in * multiplier, filters), `bias`.
 */
export abstract class BaseSeparableConv extends ConvLayerBase {
  readonly filters: number;
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly pointwiseInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly pointwiseConstraint: Constraint | null;
  depthwiseKernel: Variable | null = null;
  pointwiseKernel: Variable | null = null;

  protected constructor(rank: number, a: SeparableConvArgs) {
    super(rank, a);
    this.depthMultiplier = positiveInt(a.depthMultiplier ?? 1, 'depth_multiplier', this.name);
    this.filters = positiveInt(a.filters, 'filters', this.name);
    this.depthwiseInitializer = getInitializer(a.depthwiseInitializer ?? new GlorotUniform())!;
    this.pointwiseInitializer = getInitializer(a.pointwiseInitializer ?? new GlorotUniform())!;
    this.depthwiseRegularizer = getRegularizer(a.depthwiseRegularizer);
    this.pointwiseRegularizer = getRegularizer(a.pointwiseRegularizer);
    this.depthwiseConstraint = getConstraint(a.depthwiseConstraint);
    this.pointwiseConstraint = getConstraint(a.pointwiseConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const channels = this.inputChannels(shape);
    this.computeOutputShape(shape);
    this.depthwiseKernel = this.addWeight({
      name: 'depthwise_kernel',
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
    });
    this.pointwiseKernel = this.addWeight({
      name: 'pointwise_kernel',
      shape: [...new Array<number>(this.rank).fill(1), channels * this.depthMultiplier, this.filters],
      initializer: this.pointwiseInitializer,
      regularizer: this.pointwiseRegularizer,
      constraint: this.pointwiseConstraint,
    });
    this.addBias(this.filters);
    this.lockChannels(channels);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return this.wrapCall(inputs, (x) => {
      const h = depthwiseNd(x, this.depthwiseKernel!.value, this.strides, this.dilationRate, this.padsFor(x));
      const ones = new Array<number>(this.rank).fill(1);
      return groupedConvNd(h, this.pointwiseKernel!.value, ones, ones, ones.map(() => [0, 0]), 1);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.convOutputShape(inputShape as Shape, this.filters);
  }

  override getConfig(): Config {
    return {
      ...this.commonConfig({ depth_multiplier: this.depthMultiplier, filters: this.filters }),
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: serializeInitializer(this.depthwiseInitializer),
      pointwise_initializer: serializeInitializer(this.pointwiseInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      depthwise_regularizer: serializeRegularizer(this.depthwiseRegularizer),
      pointwise_regularizer: serializeRegularizer(this.pointwiseRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      depthwise_constraint: serializeConstraint(this.depthwiseConstraint),
      pointwise_constraint: serializeConstraint(this.pointwiseConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
    };
  }
}

/**
 * Keras `BaseConvTranspose`: Conv1DTranspose, Conv2DTranspose, Conv3DTranspose; weight `kernel`
 * (k..., filters, in) as Keras. Values follow TF's `conv_transpose` at Keras' output length.
 */
export abstract class BaseConvTranspose extends ConvLayerBase {
  readonly filters: number;
  readonly outputPadding: number[] | null;
  readonly kernelInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  kernel: Variable | null = null;

  protected constructor(rank: number, a: ConvTransposeArgs) {
    super(rank, a);
    this.filters = positiveInt(a.filters, 'filters', this.name);
    if ((a.groups ?? 1) !== 1) throw new ValueError(`${this.className} "${this.name}": groups are not supported.`);
    this.outputPadding = a.outputPadding == null ? null : normalizeTuple(a.outputPadding, rank, 'output_padding', true);
    if (this.outputPadding?.some((p, i) => p >= this.strides[i]!)) {
      throw new ValueError(`\`output_padding\` must be < \`strides\`. output_padding=[${this.outputPadding}], strides=[${this.strides}]`);
    }
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? new GlorotUniform())!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const channels = this.inputChannels(shape);
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, this.filters, channels],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.addBias(this.filters);
    this.lockChannels(channels);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return this.wrapCall(inputs, (x) =>
      convTransposeNd(x, this.kernel!.value, this.strides, this.dilationRate, this.padding as 'valid' | 'same', this.outputPadding),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const spatial = this.spatialDims(shape).map((n, i) =>
      deconvLength(
        n,
        this.kernelSize[i]!,
        this.strides[i]!,
        this.dilationRate[i]!,
        this.padding as 'valid' | 'same',
        this.outputPadding?.[i] ?? null,
      ),
    );
    if (spatial.some((n) => n != null && n <= 0)) {
      throw new ShapeError(`Layer "${this.name}": computed output size would be non-positive for input shape ${formatShape(shape)}.`);
    }
    return this.assembleShape(shape[0], spatial, this.filters);
  }

  override getConfig(): Config {
    const config: Config = {
      ...this.commonConfig({ filters: this.filters }),
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
    };
    // Keras 3's transpose layers take no output_padding; it is written only when set.
    if (this.outputPadding != null) config.output_padding = [...this.outputPadding];
    return config;
  }
}
