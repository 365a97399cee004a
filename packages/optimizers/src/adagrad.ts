import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface AdagradArgs extends OptimizerArgs {
  /** Starting value of the per-parameter accumulators (non-negative). Default 0.1. */
  initialAccumulatorValue?: number;
  /** Added to the accumulator under the square root. Default 1e-7. */
  epsilon?: number;
}

/**
 * keras.optimizers.Adagrad (learning rate 0.001, initial accumulator 0.1, epsilon 1e-7):
 * `acc += g²`, `w -= lr·g / sqrt(acc + epsilon)`.
 */
export class Adagrad extends Optimizer {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Variable[] = [];

  constructor(learningRate?: LearningRate | AdagradArgs, args?: AdagradArgs) {
    const a = resolveOptimizerArgs<AdagradArgs>(learningRate, args);
    checkKnownOptions('Adagrad', a, [...OPTIMIZER_ARG_NAMES, 'initialAccumulatorValue', 'epsilon']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'adagrad' });
    this.initialAccumulatorValue = a.initialAccumulatorValue ?? 0.1;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    this.accumulators = this.addOptimizerVariables(variables, 'accumulator', this.initialAccumulatorValue);
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const acc = this.accumulators[this.variableIndex(variable)]!;
    acc.assignAdd(ops.square(gradient));
    variable.assignSub(ops.divide(ops.multiply(learningRate, gradient), ops.sqrt(ops.add(acc.value, this.epsilon))));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

registerClass('optimizer', Adagrad, { module: 'keras.optimizers', className: 'Adagrad', aliases: ['adagrad'] });
registerIdentifier('optimizer', ['adagrad', 'Adagrad'], () => new Adagrad());
