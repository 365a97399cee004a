import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface NadamArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimates. Default 0.9. */
  beta1?: number;
  /** Decay rate of the second-moment estimates. Default 0.999. */
  beta2?: number;
  /** Keras' "epsilon hat". Default 1e-7. */
  epsilon?: number;
}

/**
 * keras.optimizers.Nadam, Adam with Nesterov momentum (learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7), Keras 3's form with the momentum schedule `u_t = b1(1 - 0.5·0.96^t)` and its running
 * product (one scalar variable, updated once per step before the per-variable updates):
 * `m̂ = u_{t+1}·m / (1 - Πu·u_{t+1}) + (1 - u_t)·g / (1 - Πu)`, `v̂ = v / (1 - b2^t)`,
 * `w -= lr·m̂ / (sqrt(v̂) + eps)`.
 */
export class Nadam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private uProduct: Variable | null = null;

  constructor(learningRate?: LearningRate | NadamArgs, args?: NadamArgs) {
    const a = resolveOptimizerArgs<NadamArgs>(learningRate, args);
    checkKnownOptions('Nadam', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2', 'epsilon']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'nadam' });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ['momentum', 'velocity']) as [Variable[], Variable[]];
    // Keras creates this scalar last, so it is the last entry of `variables` (Keras leaves it auto-named).
    this.uProduct = this.addVariable([], { name: 'u_product', dtype: variables[0]?.dtype ?? 'float32', initializer: 1 });
  }

  /** `b1·(1 - 0.5·0.96^step)`, the momentum schedule. */
  private momentumAt(step: Tensor): Tensor {
    return ops.multiply(this.beta1, ops.subtract(1, ops.multiply(0.5, ops.power(0.96, step))));
  }

  protected override backendUpdateStep(grads: Tensor[], variables: Variable[], learningRate: Tensor): void {
    const u = this.uProduct!;
    u.assign(ops.multiply(u.value, this.momentumAt(this.localStep())));
    super.backendUpdateStep(grads, variables, learningRate);
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const v = this.velocities[i]!;
    const localStep = this.localStep();
    const uT = this.momentumAt(localStep);
    const uT1 = this.momentumAt(ops.add(localStep, 1));
    const uProductT = this.uProduct!.value;
    const uProductT1 = ops.multiply(uProductT, uT1);
    const beta2Power = ops.power(this.beta2, localStep);

    m.assignAdd(ops.multiply(ops.subtract(gradient, m.value), 1 - this.beta1));
    v.assignAdd(ops.multiply(ops.subtract(ops.square(gradient), v.value), 1 - this.beta2));
    const mHat = ops.add(
      ops.divide(ops.multiply(uT1, m.value), ops.subtract(1, uProductT1)),
      ops.divide(ops.multiply(ops.subtract(1, uT), gradient), ops.subtract(1, uProductT)),
    );
    const vHat = ops.divide(v.value, ops.subtract(1, beta2Power));
    variable.assignSub(ops.divide(ops.multiply(mHat, learningRate), ops.add(ops.sqrt(vHat), this.epsilon)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}

registerClass('optimizer', Nadam, { module: 'keras.optimizers', className: 'Nadam', aliases: ['nadam'] });
registerIdentifier('optimizer', ['nadam', 'Nadam'], () => new Nadam());
