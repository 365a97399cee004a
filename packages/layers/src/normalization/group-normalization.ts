import '../builtins';
import { type Config, type Shape, type Tensor, ValueError, type Variable, formatShape, ops, registerClass, tidy } from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface GroupNormalizationArgs extends LayerArgs {
  /** Number of groups (default 32); -1 means one group per channel. */
  groups?: number;
  axis?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier;
  gammaRegularizer?: RegularizerIdentifier;
  betaConstraint?: ConstraintIdentifier;
  gammaConstraint?: ConstraintIdentifier;
}

/**
 * `keras.layers.GroupNormalization`: splits the channels (`axis`) into `groups` and normalizes
 * each sample's group over the group's channels and every other non-batch axis.
 */
export class GroupNormalization extends Layer {
  static override className = 'GroupNormalization';

  groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(args?: GroupNormalizationArgs);
  constructor(groups: number, options?: Omit<GroupNormalizationArgs, 'groups'>);
  constructor(...args: unknown[]) {
    const a = positional<GroupNormalizationArgs>(['groups'], args);
    super(a);
    this.groups = a.groups ?? 32;
    this.axis = a.axis ?? -1;
    this.epsilon = a.epsilon ?? 1e-3;
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.betaInitializer = getInitializer(a.betaInitializer ?? 'zeros')!;
    this.gammaInitializer = getInitializer(a.gammaInitializer ?? 'ones')!;
    this.betaRegularizer = getRegularizer(a.betaRegularizer);
    this.gammaRegularizer = getRegularizer(a.gammaRegularizer);
    this.betaConstraint = getConstraint(a.betaConstraint);
    this.gammaConstraint = getConstraint(a.gammaConstraint);
    this.supportsMasking = true;
  }

  private positiveAxis(shape: readonly (number | null)[]): number {
    const p = this.axis < 0 ? shape.length + this.axis : this.axis;
    if (p < 1 || p >= shape.length) {
      throw new ValueError(`GroupNormalization "${this.name}": axis ${this.axis} is out of range for inputs of shape ${formatShape(shape)}.`);
    }
    return p;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const dim = shape[this.positiveAxis(shape)];
    if (dim == null) {
      throw new ValueError(
        `Axis ${this.axis} of input tensor should have a defined dimension but the layer received an input with shape ${formatShape(shape)}.`,
      );
    }
    if (this.groups === -1) this.groups = dim;
    if (dim < this.groups) {
      throw new ValueError(`GroupNormalization "${this.name}": Number of groups (${this.groups}) cannot be more than the number of channels (${dim}).`);
    }
    if (dim % this.groups !== 0) {
      throw new ValueError(`GroupNormalization "${this.name}": Number of groups (${this.groups}) must be a multiple of the number of channels (${dim}).`);
    }
    this.inputSpec = new InputSpec({ ndim: shape.length, axes: { [this.axis]: dim } });
    if (this.scale) {
      this.gamma = this.addWeight({ name: 'gamma', shape: [dim], initializer: this.gammaInitializer, regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    }
    if (this.center) {
      this.beta = this.addWeight({ name: 'beta', shape: [dim], initializer: this.betaInitializer, regularizer: this.betaRegularizer, constraint: this.betaConstraint });
    }
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const axis = this.positiveAxis(x.shape);
    const g = this.groups;
    const grouped = [...x.shape];
    grouped.splice(axis, 1, g, x.shape[axis]! / g);
    const reduce = [...grouped.keys()].filter((i) => i !== 0 && i !== axis);
    const broadcast = grouped.map((d, i) => (i === axis || i === axis + 1 ? d : 1));
    return tidy(() => {
      const r = ops.reshape(toFloat(x), grouped);
      const { mean, variance } = ops.moments(r, reduce, true);
      let inv = ops.rsqrt(ops.add(variance, this.epsilon));
      if (this.gamma != null) inv = ops.multiply(inv, ops.reshape(this.gamma.value, broadcast));
      let res = ops.negative(ops.multiply(mean, inv));
      if (this.beta != null) res = ops.add(res, ops.reshape(this.beta.value, broadcast));
      return ops.reshape(ops.add(ops.multiply(r, inv), res), x.shape);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: serializeInitializer(this.betaInitializer),
      gamma_initializer: serializeInitializer(this.gammaInitializer),
      beta_regularizer: serializeRegularizer(this.betaRegularizer),
      gamma_regularizer: serializeRegularizer(this.gammaRegularizer),
      beta_constraint: serializeConstraint(this.betaConstraint),
      gamma_constraint: serializeConstraint(this.gammaConstraint),
    };
  }
}
registerClass('layer', GroupNormalization, { module: 'keras.layers', className: 'GroupNormalization' });
