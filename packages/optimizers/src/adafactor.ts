import { type Config, type Tensor, type Variable, ops, registerClass, registerIdentifier } from '@strata/core';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, Optimizer, type OptimizerArgs, resolveOptimizerArgs } from './optimizer';

export interface AdafactorArgs extends OptimizerArgs {
  /** Decay exponent of beta2: `beta2_t = 1 - t^beta2Decay`. Default -0.8. */
  beta2Decay?: number;
  /** Added to g² to keep the second moments away from 0. Default 1e-30. */
  epsilon1?: number;
  /** Floor of the parameter scale (RMS of the weights). Default 1e-3. */
  epsilon2?: number;
  /** Update clipping threshold on the RMS of the normalized update. Default 1. */
  clipThreshold?: number;
  /** Cap the learning rate at 1/sqrt(t). Default true (see the class comment). */
  relativeStep?: boolean;
}

/**
 * keras.optimizers.Adafactor (learning rate 0.001, beta2Decay -0.8, epsilon1 1e-30, epsilon2 1e-3,
 * clip threshold 1, relative step true), Keras 3's form with t = iterations + 1:
 * `rho = min(lr, 1/sqrt(t))`, `alpha = max(epsilon2, rms(w))·rho`, `beta2 = 1 - t^beta2Decay`;
 * variables of rank >= 2 keep factored row/column second moments `r`, `c` of `g² + epsilon1`
 * (means over the last and second-last axes) and `v = (r / mean(r)) ⊗ c`; others keep a full `v`;
 * `u = g / sqrt(v)`, `w -= alpha·u / max(1, rms(u)/clipThreshold)`.
 *
 * Keras caps the rate at 1/sqrt(t) in `rho` whatever `relativeStep` says, so the flag is kept for
 * the config but does not change the update (as in Keras).
 */
export class Adafactor extends Optimizer {
  readonly beta2Decay: number;
  readonly epsilon1: number;
  readonly epsilon2: number;
  readonly clipThreshold: number;
  readonly relativeStep: boolean;
  private rows: Variable[] = [];
  private cols: Variable[] = [];
  private velocities: Variable[] = [];

  constructor(learningRate?: LearningRate | AdafactorArgs, args?: AdafactorArgs) {
    const a = resolveOptimizerArgs<AdafactorArgs>(learningRate, args);
    checkKnownOptions('Adafactor', a, [...OPTIMIZER_ARG_NAMES, 'beta2Decay', 'epsilon1', 'epsilon2', 'clipThreshold', 'relativeStep']);
    super({ ...a, learningRate: a.learningRate ?? 0.001, name: a.name ?? 'adafactor' });
    this.beta2Decay = a.beta2Decay ?? -0.8;
    this.epsilon1 = a.epsilon1 ?? 1e-30;
    this.epsilon2 = a.epsilon2 ?? 1e-3;
    this.clipThreshold = a.clipThreshold ?? 1;
    this.relativeStep = a.relativeStep ?? true;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    this.rows = [];
    this.cols = [];
    this.velocities = [];
    // Per variable, as Keras creates them: r, c (named like the variable; scalar placeholders when
    // the variable has rank < 2, which Keras also tracks), then the velocity.
    for (const v of variables) {
      if (v.shape.length < 2) {
        this.rows.push(this.addVariable([], { name: v.name }));
        this.cols.push(this.addVariable([], { name: v.name }));
      } else {
        const s = v.shape;
        this.rows.push(this.addVariable(s.slice(0, -1), { name: v.name, dtype: v.dtype }));
        this.cols.push(this.addVariable([...s.slice(0, -2), s[s.length - 1]!], { name: v.name, dtype: v.dtype }));
      }
      this.velocities.push(this.addVariableFromReference(v, 'velocity'));
    }
  }

  private rms(x: Tensor): Tensor {
    return ops.sqrt(ops.mean(ops.square(x)));
  }

  updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const i = this.variableIndex(variable);
    const r = this.rows[i]!;
    const c = this.cols[i]!;
    const v = this.velocities[i]!;
    const localStep = this.localStep();
    const rho = ops.minimum(learningRate, ops.divide(1, ops.sqrt(localStep)));
    const alpha = ops.multiply(ops.maximum(this.epsilon2, this.rms(variable.value)), rho);
    const gradSquare = ops.add(ops.square(gradient), this.epsilon1);
    const beta2 = ops.subtract(1, ops.power(localStep, this.beta2Decay));
    const oneMinusBeta2 = ops.subtract(1, beta2);

    if (variable.shape.length >= 2) {
      r.assign(ops.add(ops.multiply(beta2, r.value), ops.multiply(oneMinusBeta2, ops.mean(gradSquare, -1))));
      c.assign(ops.add(ops.multiply(beta2, c.value), ops.multiply(oneMinusBeta2, ops.mean(gradSquare, -2))));
      const rowFactor = ops.expandDims(ops.divide(r.value, ops.mean(r.value, -1, true)), -1);
      v.assign(ops.multiply(rowFactor, ops.expandDims(c.value, -2)));
    } else {
      v.assign(ops.add(ops.multiply(beta2, v.value), ops.multiply(oneMinusBeta2, gradSquare)));
    }
    const u = ops.divide(gradient, ops.sqrt(v.value));
    const uHat = ops.divide(u, ops.maximum(1, ops.divide(this.rms(u), this.clipThreshold)));
    variable.assignSub(ops.multiply(alpha, uHat));
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      beta_2_decay: this.beta2Decay,
      epsilon_1: this.epsilon1,
      epsilon_2: this.epsilon2,
      clip_threshold: this.clipThreshold,
      relative_step: this.relativeStep,
    };
  }
}

registerClass('optimizer', Adafactor, { module: 'keras.optimizers', className: 'Adafactor', aliases: ['adafactor'] });
registerIdentifier('optimizer', ['adafactor', 'Adafactor'], () => new Adafactor());
