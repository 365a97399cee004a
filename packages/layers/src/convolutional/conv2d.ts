import '../builtins';
import {
  type Config,
  type Shape,
  ShapeError,
  type Tensor,
  ValueError,
  type Variable,
  formatShape,
  ops,
  registerClass,
  tidy,
} from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { linear } from '../activations/activations';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { Zeros } from '../initializers/constant';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { GlorotUniform } from '../initializers/variance-scaling';
import { InputSpec, assertInputCompatibility } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import {
  type DataFormat,
  type Padding,
  convOutputLength,
  normalizeDataFormat,
  normalizePadding,
  normalizeTuple,
  positional,
} from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface Conv2DArgs extends LayerArgs {
  /** Number of output channels. */
  filters?: number;
  /** Height and width of the window (an int means square). */
  kernelSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dataFormat?: DataFormat | null;
  dilationRate?: number | [number, number];
  /** Channel groups: input and output channels are split into `groups` independent convolutions. */
  groups?: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  loraRank?: number | null;
  loraAlpha?: number | null;
}

/**
 * `keras.layers.Conv2D`: 2-D convolution with a `(kh, kw, in_channels / groups, filters)` kernel,
 * plus bias and activation. Inputs are `(batch, h, w, c)` (channels_last) or `(batch, c, h, w)`.
 */
export class Conv2D extends Layer {
  static override className = 'Conv2D';

  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: [number, number];
  readonly groups: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(
    filters: number,
    kernelSize: number | [number, number],
    options?: Omit<Conv2DArgs, 'filters' | 'kernelSize'>,
  );
  constructor(
    filters: number,
    kernelSize: number | [number, number],
    strides?: number | [number, number],
    padding?: Padding,
    options?: Omit<Conv2DArgs, 'filters' | 'kernelSize' | 'strides' | 'padding'>,
  );
  constructor(args: Conv2DArgs);
  constructor(...args: unknown[]) {
    const a = positional<Conv2DArgs>(['filters', 'kernelSize', 'strides', 'padding'], args);
    super(a);
    const filters = a.filters;
    if (typeof filters !== 'number' || !Number.isInteger(filters) || filters <= 0) {
      throw new ValueError(
        `Invalid value for argument \`filters\`. Expected a strictly positive value. Received filters=${String(filters)}.`,
      );
    }
    if (a.kernelSize == null) throw new ValueError(`Conv2D "${this.name}": \`kernel_size\` is required.`);
    const groups = a.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) {
      throw new ValueError(`The number of groups must be a positive integer. Received: groups=${groups}.`);
    }
    if (filters % groups !== 0) {
      throw new ValueError(
        `The number of filters must be evenly divisible by the number of groups. Received: groups=${groups}, filters=${filters}.`,
      );
    }
    if (a.loraRank != null) throw new ValueError(`Conv2D "${this.name}": lora_rank is not supported yet.`);
    this.filters = filters;
    this.kernelSize = normalizeTuple(a.kernelSize, 2, 'kernel_size') as [number, number];
    this.strides = normalizeTuple(a.strides ?? 1, 2, 'strides') as [number, number];
    this.padding = normalizePadding(a.padding);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.dilationRate = normalizeTuple(a.dilationRate ?? 1, 2, 'dilation_rate') as [number, number];
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ValueError(
        `\`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=[${this.strides}] and dilation_rate=[${this.dilationRate}]`,
      );
    }
    this.groups = groups;
    this.activation = getActivation(a.activation ?? linear);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? new GlorotUniform())!;
    this.biasInitializer = getInitializer(a.biasInitializer ?? new Zeros())!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
    this.biasConstraint = getConstraint(a.biasConstraint);
    this.inputSpec = new InputSpec({ ndim: 4 });
  }

  private get channelAxis(): number {
    return this.dataFormat === 'channels_last' ? -1 : 1;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    assertInputCompatibility(this.inputSpec, [shape], this.name);
    const axis = this.channelAxis < 0 ? shape.length + this.channelAxis : this.channelAxis;
    const inputChannels = shape[axis];
    if (inputChannels == null) {
      throw new ValueError(
        `Conv2D "${this.name}": the channel dimension of the inputs should be defined. Received input shape ${formatShape(shape)}.`,
      );
    }
    if (inputChannels % this.groups !== 0) {
      throw new ValueError(
        `The number of input channels must be evenly divisible by the number of groups. Received groups=${this.groups}, but the input has ${inputChannels} channels (full input shape is ${formatShape(shape)}).`,
      );
    }
    this.computeOutputShape(shape); // rejects windows larger than the (padded) input
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, inputChannels / this.groups, this.filters],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: 'bias',
        shape: [this.filters],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.inputSpec = new InputSpec({ ndim: 4, axes: { [this.channelAxis]: inputChannels } });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      let x = toFloat(inputs as Tensor);
      if (this.dataFormat === 'channels_first') x = ops.transpose(x, [0, 2, 3, 1]);
      const kernel = this.kernel!.value;
      let y: Tensor;
      if (this.groups === 1) {
        y = ops.conv(x, kernel, this.strides, this.padding, this.dilationRate);
      } else {
        // Grouped convolution: each group of input channels gets its own slice of the filters.
        const xs = ops.split(x, this.groups, 3);
        const ks = ops.split(kernel, this.groups, 3);
        y = ops.concatenate(
          xs.map((xi, g) => ops.conv(xi, ks[g]!, this.strides, this.padding, this.dilationRate)),
          3,
        );
      }
      if (this.bias != null) y = ops.add(y, this.bias.value);
      y = this.activation(y);
      if (this.dataFormat === 'channels_first') y = ops.transpose(y, [0, 3, 1, 2]);
      return y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [h, w] = this.dataFormat === 'channels_last' ? [shape[1]!, shape[2]!] : [shape[2]!, shape[3]!];
    const spatial = [h, w].map((n, i) => {
      const out = convOutputLength(n, this.kernelSize[i]!, this.strides[i]!, this.padding, this.dilationRate[i]!);
      if (out != null && out <= 0) {
        throw new ShapeError(
          `Layer "${this.name}": computed output size would be negative for input shape ${formatShape(shape)} ` +
            `with kernel_size=(${this.kernelSize.join(', ')}), strides=(${this.strides.join(', ')}), padding=${this.padding}, ` +
            `dilation_rate=(${this.dilationRate.join(', ')}).`,
        );
      }
      return out;
    });
    return this.dataFormat === 'channels_last'
      ? [shape[0] ?? null, spatial[0]!, spatial[1]!, this.filters]
      : [shape[0] ?? null, this.filters, spatial[0]!, spatial[1]!];
  }

  override getConfig(): Config {
    const base = super.getConfig();
    delete base.activity_regularizer;
    return {
      ...base,
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
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
registerClass('layer', Conv2D, { module: 'keras.layers', className: 'Conv2D' });
