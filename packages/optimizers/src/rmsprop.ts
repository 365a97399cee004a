import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface RMSpropArgs extends OptimizerArgs {
  /** Discounting factor of the running average of g². Default 0.9. */
  rho?: number;
  /** Momentum of the increments; 0 keeps no momentum slot. Default 0. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Normalize by the estimated variance (E[g²] - E[g]²) instead of E[g²]. Default false. */
  centered?: boolean;
}

/**
 * keras.optimizers.RMSprop (learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false):
 * `v = rho·v + (1 - rho)·g²`, centered also `a = rho·a + (1 - rho)·g` and uses `v - a²`;
 * `inc = lr·g / sqrt(denominator + eps)`; with momentum `mom = momentum·mom + inc; w -= mom`,
 * else `w -= inc`.
 */
export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  private velocities: Variable[] = [];
  private momentums: Variable[] = [];
  private averageGradients: Variable[] = [];

  constructor(learningRate?: LearningRate | RMSpropArgs, args?: RMSpropArgs) {
    const a = resolveOptimizerArgs<RMSpropArgs>(learningRate, args);
    checkKnownOptions('RMSprop', a, [...OPTIMIZER_ARG_NAMES, 'rho', 'momentum', 'epsilon', 'centered']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'rmsprop' });
    this.rho = a.rho ?? 0.9;
    this.momentum = a.momentum ?? 0;
    this.epsilon = a.epsilon ?? 1e-7;
    this.centered = a.centered ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    // Keras creates them one kind at a time (not interleaved): velocities, momentums, average gradients.
    this.velocities = this.addOptimizerVariables(variables, 'velocity');
    this.momentums = this.momentum > 0 ? this.addOptimizerVariables(variables, 'momentum') : [];
    this.averageGradients = this.centered ? this.addOptimizerVariables(variables, 'average_gradient') : [];
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const rho = this.rho;
    const velocity = this.velocities[i]!;
    velocity.assign(ops.add(ops.multiply(velocity.value, rho), ops.multiply(ops.square(gradient), 1 - rho)));
    let denominator: Tensor;
    if (this.centered) {
      const avg = this.averageGradients[i]!;
      avg.assign(ops.add(ops.multiply(avg.value, rho), ops.multiply(gradient, 1 - rho)));
      denominator = ops.add(ops.subtract(velocity.value, ops.square(avg.value)), this.epsilon);
    } else {
      denominator = ops.add(velocity.value, this.epsilon);
    }
    const increment = ops.divide(ops.multiply(learningRate, gradient), ops.sqrt(denominator));
    if (this.momentum > 0) {
      const mom = this.momentums[i]!;
      mom.assign(ops.add(ops.multiply(mom.value, this.momentum), increment));
      variable.assignSub(mom.value);
    } else {
      variable.assignSub(increment);
    }
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

registerClass('optimizer', RMSprop, { module: 'keras.optimizers', className: 'RMSprop', aliases: ['rmsprop'] });
registerIdentifier('optimizer', ['rmsprop', 'RMSprop'], () => new RMSprop());
