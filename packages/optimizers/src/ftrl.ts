import { type Config, type Tensor, ValueError, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface FtrlArgs extends OptimizerArgs {
  /** Power of the accumulator in the per-coordinate rate (<= 0; 0 is a fixed rate). Default -0.5. */
  learningRatePower?: number;
  /** Starting value of the accumulators (>= 0). Default 0.1. */
  initialAccumulatorValue?: number;
  /** L1 strength (>= 0). Default 0. */
  l1RegularizationStrength?: number;
  /** L2 stabilization strength (>= 0). Default 0. */
  l2RegularizationStrength?: number;
  /** L2 shrinkage (magnitude penalty added to the gradient, >= 0). Default 0. */
  l2ShrinkageRegularizationStrength?: number;
  /** The paper's beta. Default 0. */
  beta?: number;
}

/**
 * keras.optimizers.Ftrl, "Follow The Regularized Leader" (learning rate 0.001, learning rate power
 * -0.5, initial accumulator 0.1, no regularization, beta 0). With p = -learningRatePower:
 * `g' = g + 2·l2Shrinkage·w`, `n' = n + g²`, `z += g' - (n'^p - n^p)/lr·w`,
 * `w = (clip(z, -l1, l1) - z) / (n'^p/lr + 2(l2 + beta/(2lr)))`, `n = n'`.
 */
export class Ftrl extends Optimizer {
  readonly learningRatePower: number;
  readonly initialAccumulatorValue: number;
  readonly l1RegularizationStrength: number;
  readonly l2RegularizationStrength: number;
  readonly l2ShrinkageRegularizationStrength: number;
  readonly beta: number;
  private accumulators: Variable[] = [];
  private linears: Variable[] = [];

  constructor(learningRate?: LearningRate | FtrlArgs, args?: FtrlArgs) {
    const a = resolveOptimizerArgs<FtrlArgs>(learningRate, args);
    checkKnownOptions('Ftrl', a, [
      ...OPTIMIZER_ARG_NAMES,
      'learningRatePower',
      'initialAccumulatorValue',
      'l1RegularizationStrength',
      'l2RegularizationStrength',
      'l2ShrinkageRegularizationStrength',
      'beta',
    ]);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'ftrl' });
    this.learningRatePower = a.learningRatePower ?? -0.5;
    this.initialAccumulatorValue = a.initialAccumulatorValue ?? 0.1;
    this.l1RegularizationStrength = a.l1RegularizationStrength ?? 0;
    this.l2RegularizationStrength = a.l2RegularizationStrength ?? 0;
    this.l2ShrinkageRegularizationStrength = a.l2ShrinkageRegularizationStrength ?? 0;
    this.beta = a.beta ?? 0;
    if (this.initialAccumulatorValue < 0) {
      throw new ValueError(
        `Ftrl: \`initialAccumulatorValue\` needs to be positive or zero. Received: initialAccumulatorValue=${this.initialAccumulatorValue}.`,
      );
    }
    if (this.learningRatePower > 0) {
      throw new ValueError(`Ftrl: \`learningRatePower\` needs to be negative or zero. Received: learningRatePower=${this.learningRatePower}.`);
    }
    for (const [key, value] of [
      ['l1RegularizationStrength', this.l1RegularizationStrength],
      ['l2RegularizationStrength', this.l2RegularizationStrength],
      ['l2ShrinkageRegularizationStrength', this.l2ShrinkageRegularizationStrength],
    ] as const) {
      if (value < 0) throw new ValueError(`Ftrl: \`${key}\` needs to be positive or zero. Received: ${key}=${value}.`);
    }
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    const iav = this.initialAccumulatorValue;
    // Interleaved per variable (accumulator, linear), as Keras creates them.
    this.accumulators = [];
    this.linears = [];
    for (const v of variables) {
      this.accumulators.push(this.addVariableFromReference(v, 'accumulator', iav));
      this.linears.push(this.addVariableFromReference(v, 'linear'));
    }
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const accum = this.accumulators[i]!;
    const linear = this.linears[i]!;
    const power = -this.learningRatePower;
    const l2 = ops.add(this.l2RegularizationStrength, ops.divide(this.beta, ops.multiply(2, learningRate)));
    const gradToUse = ops.add(gradient, ops.multiply(variable.value, 2 * this.l2ShrinkageRegularizationStrength));
    const newAccum = ops.add(accum.value, ops.square(gradient));
    const sigma = ops.divide(ops.subtract(ops.power(newAccum, power), ops.power(accum.value, power)), learningRate);
    linear.assignAdd(ops.subtract(gradToUse, ops.multiply(sigma, variable.value)));
    const quadratic = ops.add(ops.divide(ops.power(newAccum, power), learningRate), ops.multiply(l2, 2));
    const l1 = this.l1RegularizationStrength;
    const clipped = ops.clip(linear.value, -l1, l1);
    variable.assign(ops.divide(ops.subtract(clipped, linear.value), quadratic));
    accum.assign(newAccum);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      learning_rate_power: this.learningRatePower,
      initial_accumulator_value: this.initialAccumulatorValue,
      l1_regularization_strength: this.l1RegularizationStrength,
      l2_regularization_strength: this.l2RegularizationStrength,
      l2_shrinkage_regularization_strength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}

registerClass('optimizer', Ftrl, { module: 'keras.optimizers', className: 'Ftrl', aliases: ['ftrl'] });
registerIdentifier('optimizer', ['ftrl', 'Ftrl'], () => new Ftrl());
