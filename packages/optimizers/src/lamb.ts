import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface LambArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimates. Default 0.9. */
  beta1?: number;
  /** Decay rate of the second-moment estimates. Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * keras.optimizers.Lamb, layer-wise adaptive Adam (learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7): Adam's moments, `u = (m/(1 - b1^t)) / (sqrt(v/(1 - b2^t)) + eps)`, and
 * `w -= r·lr·u` with the trust ratio `r = ||w|| / ||u||` (1 when either norm is 0), t = iterations + 1.
 */
export class Lamb extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];

  constructor(learningRate?: LearningRate | LambArgs, args?: LambArgs) {
    const a = resolveOptimizerArgs<LambArgs>(learningRate, args);
    checkKnownOptions('Lamb', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2', 'epsilon']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'lamb' });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ['momentum', 'velocity']) as [Variable[], Variable[]];
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const v = this.velocities[i]!;
    const localStep = this.localStep();
    const beta1Power = ops.power(this.beta1, localStep);
    const beta2Power = ops.power(this.beta2, localStep);
    m.assignAdd(ops.multiply(ops.subtract(gradient, m.value), 1 - this.beta1));
    v.assignAdd(ops.multiply(ops.subtract(ops.square(gradient), v.value), 1 - this.beta2));
    const mHat = ops.divide(m.value, ops.subtract(1, beta1Power));
    const vSqrt = ops.add(ops.sqrt(ops.divide(v.value, ops.subtract(1, beta2Power))), this.epsilon);
    const update = ops.divide(mHat, vSqrt);
    const wNorm = ops.sqrt(ops.sum(ops.square(variable.value)));
    const gNorm = ops.sqrt(ops.sum(ops.square(update)));
    // The ratio is 1 unless both norms are positive; the inner where keeps 0/0 out of the result.
    const bothPositive = ops.logicalAnd(ops.greater(wNorm, 0), ops.greater(gNorm, 0));
    const ratio = ops.where(bothPositive, ops.divide(wNorm, ops.where(bothPositive, gNorm, ops.onesLike(gNorm))), ops.onesLike(wNorm));
    variable.assignSub(ops.multiply(ops.multiply(ratio, learningRate), update));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}

registerClass('optimizer', Lamb, { module: 'keras.optimizers', className: 'Lamb', aliases: ['lamb'] });
registerIdentifier('optimizer', ['lamb', 'Lamb'], () => new Lamb());
