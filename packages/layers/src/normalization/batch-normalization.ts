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
  stopGradient,
  tidy,
} from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { InputSpec } from '../input-spec';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis (default -1). */
  axis?: number;
  /** Momentum of the moving average (default 0.99). */
  momentum?: number;
  /** Added to the variance to avoid dividing by zero (default 1e-3). */
  epsilon?: number;
  /** Add the offset `beta` (default true). */
  center?: boolean;
  /** Multiply by `gamma` (default true). */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier;
  gammaRegularizer?: RegularizerIdentifier;
  betaConstraint?: ConstraintIdentifier;
  gammaConstraint?: ConstraintIdentifier;
  /** Cross-replica statistics; there is one replica here, so it changes nothing. */
  synchronized?: boolean;
  /** Batch renormalization is not supported yet; only `false` is accepted. */
  renorm?: boolean;
  renormClipping?: Record<string, number> | null;
  renormMomentum?: number;
}

/**
 * `keras.layers.BatchNormalization`. In training (`training: true` and a trainable layer) it
 * normalizes with the batch mean and (biased) variance and updates
 * `moving = moving * momentum + batch * (1 - momentum)`; otherwise it uses the moving statistics.
 * Weights, in Keras order: gamma, beta (trainable), moving_mean, moving_variance (not trainable).
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';

  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  readonly synchronized: boolean;
  readonly renorm: boolean;
  readonly renormClipping: Record<string, number> | null;
  readonly renormMomentum: number;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;

  constructor(args?: BatchNormalizationArgs);
  constructor(axis: number, options?: Omit<BatchNormalizationArgs, 'axis'>);
  constructor(...args: unknown[]) {
    const a = positional<BatchNormalizationArgs>(['axis'], args);
    super(a);
    const axis = a.axis ?? -1;
    if (!Number.isInteger(axis)) {
      throw new ValueError(`BatchNormalization "${this.name}": \`axis\` must be an integer. Received: axis=${JSON.stringify(a.axis)}`);
    }
    if (a.renorm) throw new ValueError(`BatchNormalization "${this.name}": renorm=True is not supported yet.`);
    this.axis = axis;
    this.momentum = a.momentum ?? 0.99;
    this.epsilon = a.epsilon ?? 1e-3;
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.betaInitializer = getInitializer(a.betaInitializer ?? 'zeros')!;
    this.gammaInitializer = getInitializer(a.gammaInitializer ?? 'ones')!;
    this.movingMeanInitializer = getInitializer(a.movingMeanInitializer ?? 'zeros')!;
    this.movingVarianceInitializer = getInitializer(a.movingVarianceInitializer ?? 'ones')!;
    this.betaRegularizer = getRegularizer(a.betaRegularizer);
    this.gammaRegularizer = getRegularizer(a.gammaRegularizer);
    this.betaConstraint = getConstraint(a.betaConstraint);
    this.gammaConstraint = getConstraint(a.gammaConstraint);
    this.synchronized = a.synchronized ?? false;
    this.renorm = false;
    this.renormClipping = a.renormClipping ?? null;
    this.renormMomentum = a.renormMomentum ?? 0.99;
    this.supportsMasking = true;
  }

  private positiveAxis(rank: number, shape: readonly Dim[]): number {
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 0 || axis >= rank) {
      throw new ValueError(
        `BatchNormalization "${this.name}": axis ${this.axis} is out of range for inputs of shape ${formatShape(shape)} (rank ${rank}).`,
      );
    }
    return axis;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const axis = this.positiveAxis(shape.length, shape);
    const dim = shape[axis];
    if (dim == null) {
      throw new ValueError(
        `BatchNormalization "${this.name}": axis ${this.axis} of the inputs must have a defined size. Received input shape ${formatShape(shape)}.`,
      );
    }
    if (this.scale) {
      this.gamma = this.addWeight({
        name: 'gamma',
        shape: [dim],
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
        constraint: this.gammaConstraint,
        trainable: true,
      });
    }
    if (this.center) {
      this.beta = this.addWeight({
        name: 'beta',
        shape: [dim],
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
        constraint: this.betaConstraint,
        trainable: true,
      });
    }
    this.movingMean = this.addWeight({ name: 'moving_mean', shape: [dim], initializer: this.movingMeanInitializer, trainable: false });
    this.movingVariance = this.addWeight({
      name: 'moving_variance',
      shape: [dim],
      initializer: this.movingVarianceInitializer,
      trainable: false,
    });
    this.inputSpec = new InputSpec({ ndim: shape.length, axes: { [this.axis]: dim } });
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const mask = (args.mask ?? null) as Tensor | null;
    if (mask != null && mask.rank !== x.rank - 1) {
      throw new ValueError(
        `BatchNormalization "${this.name}": the mask should have one dimension less than the inputs. Received: inputs.shape=${formatShape(x.shape)}, mask.shape=${formatShape(mask.shape)}`,
      );
    }
    const axis = this.positiveAxis(x.rank, x.shape);
    const reduction = [...Array(x.rank).keys()].filter((i) => i !== axis);
    const training = args.training === true && this.trainable;
    return tidy(() => {
      const xf = toFloat(x);
      let mean: Tensor;
      let variance: Tensor;
      if (training) {
        ({ mean, variance } = this.moments(xf, mask, reduction));
        const m = this.momentum;
        const newMean = ops.add(ops.multiply(this.movingMean!.value, m), ops.multiply(stopGradient(mean), 1 - m));
        const newVar = ops.add(ops.multiply(this.movingVariance!.value, m), ops.multiply(stopGradient(variance), 1 - m));
        this.movingMean!.assign(newMean);
        this.movingVariance!.assign(newVar);
      } else {
        mean = this.movingMean!.value;
        variance = this.movingVariance!.value;
      }
      return ops.batchNormalization(xf, mean, variance, axis, this.beta?.value ?? null, this.gamma?.value ?? null, this.epsilon);
    });
  }

  /** Batch mean and biased variance over every axis but `axis` (mask-weighted as Keras does). */
  private moments(x: Tensor, mask: Tensor | null, reduction: number[]): { mean: Tensor; variance: Tensor } {
    if (mask == null) return ops.moments(x, reduction);
    const w = ops.expandDims(ops.cast(mask, x.dtype), -1);
    const weighted = ops.multiply(w, x);
    const weightSum = ops.add(ops.sum(ops.broadcastTo(w, x.shape), reduction, true), 1e-7);
    const mean = ops.divide(ops.sum(weighted, reduction, true), weightSum);
    const dist = ops.sum(ops.multiply(w, ops.square(ops.subtract(weighted, mean))), reduction, true);
    const variance = ops.divide(dist, weightSum);
    return { mean: ops.reshape(mean, [-1]), variance: ops.reshape(variance, [-1]) };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: serializeInitializer(this.betaInitializer),
      gamma_initializer: serializeInitializer(this.gammaInitializer),
      moving_mean_initializer: serializeInitializer(this.movingMeanInitializer),
      moving_variance_initializer: serializeInitializer(this.movingVarianceInitializer),
      beta_regularizer: serializeRegularizer(this.betaRegularizer),
      gamma_regularizer: serializeRegularizer(this.gammaRegularizer),
      beta_constraint: serializeConstraint(this.betaConstraint),
      gamma_constraint: serializeConstraint(this.gammaConstraint),
      synchronized: this.synchronized,
      renorm: this.renorm,
      renorm_clipping: this.renormClipping,
      renorm_momentum: this.renormMomentum,
    };
  }
}
registerClass('layer', BatchNormalization, { module: 'keras.layers', className: 'BatchNormalization' });
