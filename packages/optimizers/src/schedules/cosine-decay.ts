import { type Config, type Tensor, ops, registerClass } from '@strata/core';
import { checkNumber, checkPositiveSteps, checkScheduleArgs } from './args';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface CosineDecayOptions {
  /** Floor of the decay as a fraction of the rate it decays from. Default 0. */
  alpha?: number;
  name?: string;
  /** Rate reached by the linear warmup; null (the default) means no warmup. */
  warmupTarget?: number | null;
  /** Length of the linear warmup in steps. Default 0. */
  warmupSteps?: number;
}

export interface CosineDecayArgs extends CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
}

/**
 * keras.optimizers.schedules.CosineDecay (SGDR's cosine decay with Keras 3's optional linear warmup).
 *
 * Without `warmupTarget`: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)`.
 * With it: for `step < warmupSteps` the rate goes linearly from `initialLearningRate` to
 * `warmupTarget`; then the cosine decay above runs from `warmupTarget` over `step - warmupSteps`.
 *
 * `new CosineDecay(0.1, 1000)` or
 * `new CosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 0.1, warmupSteps: 100 })`.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(args: CosineDecayArgs);
  constructor(initialLearningRate: number, decaySteps: number, options?: CosineDecayOptions);
  constructor(first: number | CosineDecayArgs, decaySteps?: number, options: CosineDecayOptions = {}) {
    super();
    const args: CosineDecayArgs = typeof first === 'number' ? { initialLearningRate: first, decaySteps: decaySteps!, ...options } : first;
    checkScheduleArgs('CosineDecay', args, ['initialLearningRate', 'decaySteps'], ['alpha', 'name', 'warmupTarget', 'warmupSteps']);
    checkNumber('CosineDecay', 'initialLearningRate', args.initialLearningRate);
    checkPositiveSteps('CosineDecay', 'decaySteps', args.decaySteps);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.alpha = args.alpha ?? 0.0;
    this.name = args.name ?? 'CosineDecay';
    this.warmupTarget = args.warmupTarget ?? null;
    this.warmupSteps = args.warmupSteps ?? 0;
    checkNumber('CosineDecay', 'alpha', this.alpha);
    if (this.warmupTarget != null) checkNumber('CosineDecay', 'warmupTarget', this.warmupTarget);
    checkNumber('CosineDecay', 'warmupSteps', this.warmupSteps);
  }

  /** The cosine decay from `from` after `step` (already clipped to `decaySteps`) decay steps. */
  private decay(step: Tensor, from: number): Tensor {
    const fraction = ops.divide(step, this.decaySteps);
    const cosine = ops.multiply(0.5, ops.add(1, ops.cos(ops.multiply(Math.PI, fraction))));
    const decayed = ops.add(ops.multiply(1 - this.alpha, cosine), this.alpha);
    return ops.multiply(from, decayed);
  }

  call(step: Tensor): Tensor {
    if (this.warmupTarget == null) {
      return this.decay(ops.minimum(step, this.decaySteps), this.initialLearningRate);
    }
    const target = this.warmupTarget;
    const s = ops.minimum(step, this.decaySteps + this.warmupSteps);
    // Keras picks one branch with `cond`; both are computed here and `where` keeps one (the
    // warmup branch is 0/0 when warmupSteps is 0, but it is then never the one kept).
    const warmup = ops.add(
      ops.multiply(target - this.initialLearningRate, ops.divide(s, this.warmupSteps)),
      this.initialLearningRate,
    );
    const decay = this.decay(ops.subtract(s, this.warmupSteps), target);
    return ops.where(ops.less(s, this.warmupSteps), warmup, decay);
  }

  getConfig(): Config {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }
}

registerClass('schedule', CosineDecay, { module: 'keras.optimizers.schedules', className: 'CosineDecay' });
