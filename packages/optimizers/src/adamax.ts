import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface AdamaxArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimates. Default 0.9. */
  beta1?: number;
  /** Decay rate of the exponentially weighted infinity norm. Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * keras.optimizers.Adamax, Adam with the infinity norm (learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7): `m += (g - m)(1 - b1)`, `u = max(b2·u, |g|)`, `w -= lr·m / ((1 - b1^t)(u + eps))`
 * with t = iterations + 1.
 */
export class Adamax extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private norms: Variable[] = [];

  constructor(learningRate?: LearningRate | AdamaxArgs, args?: AdamaxArgs) {
    const a = resolveOptimizerArgs<AdamaxArgs>(learningRate, args);
    checkKnownOptions('Adamax', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2', 'epsilon']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'adamax' });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums, this.norms] = this.addOptimizerVariables(variables, ['momentum', 'norm']) as [Variable[], Variable[]];
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const u = this.norms[i]!;
    const beta1Power = ops.power(this.beta1, this.localStep());
    m.assignAdd(ops.multiply(ops.subtract(gradient, m.value), 1 - this.beta1));
    u.assign(ops.maximum(ops.multiply(u.value, this.beta2), ops.abs(gradient)));
    variable.assignSub(
      ops.divide(ops.multiply(learningRate, m.value), ops.multiply(ops.subtract(1, beta1Power), ops.add(u.value, this.epsilon))),
    );
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}

registerClass('optimizer', Adamax, { module: 'keras.optimizers', className: 'Adamax', aliases: ['adamax'] });
registerIdentifier('optimizer', ['adamax', 'Adamax'], () => new Adamax());
