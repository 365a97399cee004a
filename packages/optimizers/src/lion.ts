import { type Config, type Tensor, ValueError, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface LionArgs extends OptimizerArgs {
  /** Weight of the momentum in the update direction, in (0, 1]. Default 0.9. */
  beta1?: number;
  /** Decay rate of the momentum. Default 0.99. */
  beta2?: number;
}

/**
 * keras.optimizers.Lion (learning rate 0.001, beta1 0.9, beta2 0.99):
 * `w -= lr·sign(b1·m + (1 - b1)·g)`, then `m = b2·m + (1 - b2)·g`.
 */
export class Lion extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  private momentums: Variable[] = [];

  constructor(learningRate?: LearningRate | LionArgs, args?: LionArgs) {
    const a = resolveOptimizerArgs<LionArgs>(learningRate, args);
    checkKnownOptions('Lion', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'lion' });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.99;
    if (this.beta1 <= 0 || this.beta1 > 1) {
      throw new ValueError(
        `Lion: argument \`beta1\` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: beta1=${this.beta1}.`,
      );
    }
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    this.momentums = this.addOptimizerVariables(variables, 'momentum');
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const m = this.momentums[this.variableIndex(variable)]!;
    const direction = ops.sign(ops.add(ops.multiply(m.value, this.beta1), ops.multiply(gradient, 1 - this.beta1)));
    variable.assignSub(ops.multiply(learningRate, direction));
    m.assign(ops.add(ops.multiply(m.value, this.beta2), ops.multiply(gradient, 1 - this.beta2)));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2 };
  }
}

registerClass('optimizer', Lion, { module: 'keras.optimizers', className: 'Lion', aliases: ['lion'] });
registerIdentifier('optimizer', ['lion', 'Lion'], () => new Lion());
