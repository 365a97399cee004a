import '../builtins';
import {
  type Config,
  type Dim,
  type Shape,
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
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface DenseArgs extends LayerArgs {
  /** Dimensionality of the output space. */
  units?: number;
  /** Activation (name, function or serialized); none means linear. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  /** LoRA is not supported yet; only `null` is accepted. */
  loraRank?: number | null;
  loraAlpha?: number | null;
  /** Quantization is not supported yet; only `null` is accepted. */
  quantizationConfig?: null;
}

/**
 * `keras.layers.Dense`: `activation(inputs @ kernel + bias)`, with `kernel` of shape
 * `(input_dim, units)`. Inputs of rank > 2 are contracted on their last axis.
 */
export class Dense extends Layer {
  static override className = 'Dense';

  readonly units: number;
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

  constructor(units: number, options?: Omit<DenseArgs, 'units'>);
  constructor(args: DenseArgs);
  constructor(...args: unknown[]) {
    const a = positional<DenseArgs>(['units'], args);
    super(a);
    const units = a.units;
    if (typeof units !== 'number' || !Number.isInteger(units) || units <= 0) {
      throw new ValueError(`Received an invalid value for \`units\`, expected a positive integer. Received: units=${String(units)}`);
    }
    if (a.loraRank != null) throw new ValueError(`Dense "${this.name}": lora_rank is not supported yet.`);
    if (a.quantizationConfig != null) throw new ValueError(`Dense "${this.name}": quantization_config is not supported yet.`);
    this.units = units;
    this.activation = getActivation(a.activation ?? linear);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? new GlorotUniform())!;
    this.biasInitializer = getInitializer(a.biasInitializer ?? new Zeros())!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
    this.biasConstraint = getConstraint(a.biasConstraint);
    this.inputSpec = new InputSpec({ minNdim: 2 });
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    assertInputCompatibility(this.inputSpec, [shape], this.name);
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) {
      throw new ValueError(
        `Dense "${this.name}": the last dimension of the inputs should be defined. Received input shape ${formatShape(shape)}.`,
      );
    }
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [inputDim, this.units],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
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
    this.inputSpec = new InputSpec({ minNdim: 2, axes: { [-1]: inputDim } });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      let y = ops.matmul(toFloat(inputs as Tensor), this.kernel!.value);
      if (this.bias != null) y = ops.add(y, this.bias.value);
      return this.activation(y);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Dim[];
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
      quantization_config: null,
    };
  }
}
registerClass('layer', Dense, { module: 'keras.layers', className: 'Dense' });
