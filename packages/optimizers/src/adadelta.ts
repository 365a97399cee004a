import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface AdadeltaArgs extends OptimizerArgs {
  /** Decay rate of the running averages. Default 0.95. */
  rho?: number;
  /** Added under both square roots. Default 1e-7. */
  epsilon?: number;
}

/**
 * keras.optimizers.Adadelta (learning rate 0.001, rho 0.95, epsilon 1e-7):
 * `Eg = rho·Eg + (1 - rho)·g²`, `d = -sqrt(Ed + eps)·g / sqrt(Eg + eps)`,
 * `Ed = rho·Ed + (1 - rho)·d²`, `w += lr·d`.
 */
export class Adadelta extends Optimizer {
  readonly rho: number;
  readonly epsilon: number;
  private accumulatedGrads: Variable[] = [];
  private accumulatedDeltaVars: Variable[] = [];

  constructor(learningRate?: LearningRate | AdadeltaArgs, args?: AdadeltaArgs) {
    const a = resolveOptimizerArgs<AdadeltaArgs>(learningRate, args);
    checkKnownOptions('Adadelta', a, [...OPTIMIZER_ARG_NAMES, 'rho', 'epsilon']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'adadelta' });
    this.rho = a.rho ?? 0.95;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.accumulatedGrads, this.accumulatedDeltaVars] = this.addOptimizerVariables(variables, [
      'accumulated_grad',
      'accumulated_delta_var',
    ]) as [Variable[], Variable[]];
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const eg = this.accumulatedGrads[i]!;
    const ed = this.accumulatedDeltaVars[i]!;
    const rho = this.rho;
    const rms = (x: Tensor) => ops.sqrt(ops.add(x, this.epsilon));
    eg.assign(ops.add(ops.multiply(eg.value, rho), ops.multiply(ops.square(gradient), 1 - rho)));
    const delta = ops.negative(ops.divide(ops.multiply(rms(ed.value), gradient), rms(eg.value)));
    ed.assign(ops.add(ops.multiply(ed.value, rho), ops.multiply(ops.square(delta), 1 - rho)));
    variable.assignAdd(ops.multiply(learningRate, delta));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

registerClass('optimizer', Adadelta, { module: 'keras.optimizers', className: 'Adadelta', aliases: ['adadelta'] });
registerIdentifier('optimizer', ['adadelta', 'Adadelta'], () => new Adadelta());
