import '../builtins';
import { type Config, type Shape, type Tensor, ValueError, type Variable, formatShape, ops, registerClass, tidy } from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface LayerNormalizationArgs extends LayerArgs {
  /** Axis or axes to normalize over (default -1). */
  axis?: number | number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  /** Keras' (deprecated) rms_scaling: scales by the variance and gamma, without centering. */
  rmsScaling?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier;
  gammaRegularizer?: RegularizerIdentifier;
  betaConstraint?: ConstraintIdentifier;
  gammaConstraint?: ConstraintIdentifier;
}

/** Resolves `axes` (maybe negative) against `shape`, naming the layer when one is out of range. */
export function resolveAxes(axes: number[], shape: readonly (number | null)[], layer: string): number[] {
  return axes.map((a) => {
    const p = a < 0 ? shape.length + a : a;
    if (!Number.isInteger(a) || p < 0 || p >= shape.length) {
      throw new ValueError(`Layer "${layer}": axis ${a} is out of range for inputs of shape ${formatShape(shape)}.`);
    }
    return p;
  });
}

/**
 * `keras.layers.LayerNormalization`: normalizes each sample over `axis` (mean and biased variance),
 * then `* gamma + beta`. As in Keras, an int `axis` becomes a list once the layer is built.
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';

  axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(args?: LayerNormalizationArgs);
  constructor(axis: number | number[], options?: Omit<LayerNormalizationArgs, 'axis'>);
  constructor(...args: unknown[]) {
    const a = positional<LayerNormalizationArgs>(['axis'], args);
    super(a);
    const axis = a.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.every(Number.isInteger)))) {
      throw new ValueError(`Expected an int or a list/tuple of ints for the argument 'axis', but received: ${JSON.stringify(axis)}`);
    }
    this.axis = Array.isArray(axis) ? [...axis] : axis;
    this.epsilon = a.epsilon ?? 1e-3;
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.rmsScaling = a.rmsScaling ?? false;
    this.betaInitializer = getInitializer(a.betaInitializer ?? 'zeros')!;
    this.gammaInitializer = getInitializer(a.gammaInitializer ?? 'ones')!;
    this.betaRegularizer = getRegularizer(a.betaRegularizer);
    this.gammaRegularizer = getRegularizer(a.gammaRegularizer);
    this.betaConstraint = getConstraint(a.betaConstraint);
    this.gammaConstraint = getConstraint(a.gammaConstraint);
    this.supportsMasking = true;
  }

  private get axes(): number[] {
    return Array.isArray(this.axis) ? this.axis : [this.axis];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const axes = resolveAxes(this.axes, shape, this.name);
    const paramShape = axes.map((a) => {
      const d = shape[a];
      if (d == null) {
        throw new ValueError(`Layer "${this.name}": axis ${a} of the inputs must have a defined size. Received input shape ${formatShape(shape)}.`);
      }
      return d;
    });
    if (this.scale || this.rmsScaling) {
      this.gamma = this.addWeight({
        name: 'gamma',
        shape: paramShape,
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
        constraint: this.gammaConstraint,
      });
    }
    if (this.center && !this.rmsScaling) {
      this.beta = this.addWeight({
        name: 'beta',
        shape: paramShape,
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
        constraint: this.betaConstraint,
      });
    }
    this.axis = this.axes;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const axes = resolveAxes(this.axes, x.shape, this.name);
    const broadcast = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    // Like Keras, the weights (laid out in `axis` order) are reshaped straight to the broadcast shape.
    const bc = (v: Variable) => ops.reshape(v.value, broadcast);
    return tidy(() => {
      const xf = toFloat(x);
      const { mean, variance } = ops.moments(xf, axes, true);
      let inv = ops.rsqrt(ops.add(variance, this.epsilon));
      if (this.rmsScaling) return ops.multiply(ops.multiply(xf, inv), bc(this.gamma!));
      if (this.gamma != null) inv = ops.multiply(inv, bc(this.gamma));
      let res = ops.negative(ops.multiply(mean, inv));
      if (this.beta != null) res = ops.add(res, bc(this.beta));
      return ops.add(ops.multiply(xf, inv), res);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axis: Array.isArray(this.axis) ? [...this.axis] : this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      rms_scaling: this.rmsScaling,
      beta_initializer: serializeInitializer(this.betaInitializer),
      gamma_initializer: serializeInitializer(this.gammaInitializer),
      beta_regularizer: serializeRegularizer(this.betaRegularizer),
      gamma_regularizer: serializeRegularizer(this.gammaRegularizer),
      beta_constraint: serializeConstraint(this.betaConstraint),
      gamma_constraint: serializeConstraint(this.gammaConstraint),
    };
  }
}
registerClass('layer', LayerNormalization, { module: 'keras.layers', className: 'LayerNormalization' });
