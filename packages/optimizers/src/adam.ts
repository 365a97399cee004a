import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface AdamArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimates. Default 0.9. */
  beta1?: number;
  /** Decay rate of the second-moment estimates. Default 0.999. */
  beta2?: number;
  /** Keras' "epsilon hat". Default 1e-7. */
  epsilon?: number;
  /** The AMSGrad variant. Default false. */
  amsgrad?: boolean;
}

/**
 * keras.optimizers.Adam (learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7), Keras 3's form:
 * `m += (g - m)(1 - b1)`, `v += (g² - v)(1 - b2)`, `alpha = lr·sqrt(1 - b2^t)/(1 - b1^t)`,
 * `w -= alpha·m / (sqrt(v) + epsilon)` with t = iterations + 1 (AMSGrad uses the running max of v).
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private velocityHats: Variable[] = [];

  constructor(learningRate?: LearningRate | AdamArgs, args?: AdamArgs) {
    const a = resolveOptimizerArgs<AdamArgs>(learningRate, args);
    checkKnownOptions('Adam', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2', 'epsilon', 'amsgrad']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'adam' });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    this.amsgrad = a.amsgrad ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ['momentum', 'velocity']) as [Variable[], Variable[]];
    this.velocityHats = this.amsgrad ? this.addOptimizerVariables(variables, 'velocity_hat') : [];
  }

  /** `lr·sqrt(1 - b2^t)/(1 - b1^t)` with t = iterations + 1 (computed once per step). */
  private alpha(learningRate: Tensor): Tensor {
    // The update count (not the call count) under gradient accumulation, as Keras.
    const localStep = this.localStep();
    const beta1Power = ops.power(this.beta1, localStep);
    const beta2Power = ops.power(this.beta2, localStep);
    return ops.divide(ops.multiply(learningRate, ops.sqrt(ops.subtract(1, beta2Power))), ops.subtract(1, beta1Power));
  }

  protected override backendUpdateStep(grads: Tensor[], variables: Variable[], learningRate: Tensor): void {
    const alpha = this.alpha(learningRate);
    for (let i = 0; i < grads.length; i++) this.step(grads[i]!, variables[i]!, alpha);
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    this.step(gradient, variable, this.alpha(learningRate));
  }

  private step(gradient: Tensor, variable: Variable, alpha: Tensor): void {
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const v = this.velocities[i]!;
    m.assignAdd(ops.multiply(ops.subtract(gradient, m.value), 1 - this.beta1));
    v.assignAdd(ops.multiply(ops.subtract(ops.square(gradient), v.value), 1 - this.beta2));
    let vUsed = v;
    if (this.amsgrad) {
      const vHat = this.velocityHats[i]!;
      vHat.assign(ops.maximum(vHat.value, v.value));
      vUsed = vHat;
    }
    variable.assignSub(ops.divide(ops.multiply(m.value, alpha), ops.add(ops.sqrt(vUsed.value), this.epsilon)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

registerClass('optimizer', Adam, { module: 'keras.optimizers', className: 'Adam', aliases: ['adam'] });
registerIdentifier('optimizer', ['adam', 'Adam'], () => new Adam());
