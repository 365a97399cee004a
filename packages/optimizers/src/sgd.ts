import { type Config, type Tensor, ValueError, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface SGDArgs extends OptimizerArgs {
  /** Momentum in [0, 1]; 0 is plain gradient descent. Default 0. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * keras.optimizers.SGD (learning rate 0.01, momentum 0, nesterov false):
 * `velocity = momentum * velocity - lr * g`; `w += velocity`, or with Nesterov
 * `w += momentum * velocity - lr * g`; without momentum `w -= lr * g`.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  private momentums: Variable[] = [];

  constructor(learningRate?: LearningRate | SGDArgs, args?: SGDArgs) {
    const a = resolveOptimizerArgs<SGDArgs>(learningRate, args);
    checkKnownOptions('SGD', a, [...OPTIMIZER_ARG_NAMES, 'momentum', 'nesterov']);
    super({ ...a, learningRate: a.learningRate ?? 0.01, name: a.name ?? 'sgd' });
    const momentum = a.momentum ?? 0;
    if (typeof momentum !== 'number' || momentum < 0 || momentum > 1) {
      throw new ValueError(`\`momentum\` must be a float between [0, 1]. Received: momentum=${momentum}`);
    }
    this.momentum = momentum;
    this.nesterov = a.nesterov ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    this.momentums = this.momentum !== 0 ? this.addOptimizerVariables(variables, 'momentum') : [];
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    if (this.momentum === 0) {
      variable.assignSub(ops.multiply(gradient, learningRate));
      return;
    }
    const m = this.momentums[this.variableIndex(variable)]!;
    m.assign(ops.subtract(ops.multiply(m.value, this.momentum), ops.multiply(gradient, learningRate)));
    if (this.nesterov) {
      variable.assignAdd(ops.subtract(ops.multiply(m.value, this.momentum), ops.multiply(gradient, learningRate)));
    } else {
      variable.assignAdd(m.value);
    }
  }

  override getConfig(): Config {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

registerClass('optimizer', SGD, { module: 'keras.optimizers', className: 'SGD', aliases: ['sgd'] });
registerIdentifier('optimizer', ['sgd', 'SGD'], () => new SGD());
