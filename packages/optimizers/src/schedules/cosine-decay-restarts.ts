import { type Config, type Tensor, ops, registerClass, tensor } from '@strata/core';
import { checkNumber, checkPositiveSteps, checkScheduleArgs } from './args';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface CosineDecayRestartsOptions {
  /** Each period is `tMul` times longer than the previous one. Default 2. */
  tMul?: number;
  /** Each period starts from `mMul` times the previous period's initial rate. Default 1. */
  mMul?: number;
  /** Floor of the decay as a fraction of `initialLearningRate`. Default 0. */
  alpha?: number;
  name?: string;
}

export interface CosineDecayRestartsArgs extends CosineDecayRestartsOptions {
  initialLearningRate: number;
  firstDecaySteps: number;
}

/**
 * keras.optimizers.schedules.CosineDecayRestarts (SGDR, Loshchilov & Hutter): cosine decay from
 * `initialLearningRate` towards `alpha * initialLearningRate` over `firstDecaySteps` steps, then
 * warm restarts, period `i` lasting `firstDecaySteps * tMul ** i` steps and starting from
 * `initialLearningRate * mMul ** i`.
 *
 * `new CosineDecayRestarts(0.1, 1000)` or `new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 1000, tMul: 1 })`.
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;

  constructor(args: CosineDecayRestartsArgs);
  constructor(initialLearningRate: number, firstDecaySteps: number, options?: CosineDecayRestartsOptions);
  constructor(first: number | CosineDecayRestartsArgs, firstDecaySteps?: number, options: CosineDecayRestartsOptions = {}) {
    super();
    const args: CosineDecayRestartsArgs =
      typeof first === 'number' ? { initialLearningRate: first, firstDecaySteps: firstDecaySteps!, ...options } : first;
    checkScheduleArgs('CosineDecayRestarts', args, ['initialLearningRate', 'firstDecaySteps'], ['tMul', 'mMul', 'alpha', 'name']);
    checkNumber('CosineDecayRestarts', 'initialLearningRate', args.initialLearningRate);
    checkPositiveSteps('CosineDecayRestarts', 'firstDecaySteps', args.firstDecaySteps);
    this.initialLearningRate = args.initialLearningRate;
    this.firstDecaySteps = args.firstDecaySteps;
    this.tMul = args.tMul ?? 2.0;
    this.mMul = args.mMul ?? 1.0;
    this.alpha = args.alpha ?? 0.0;
    this.name = args.name ?? 'SGDRDecay';
    checkNumber('CosineDecayRestarts', 'tMul', this.tMul);
    checkNumber('CosineDecayRestarts', 'mMul', this.mMul);
    checkNumber('CosineDecayRestarts', 'alpha', this.alpha);
  }

  call(step: Tensor): Tensor {
    // Progress in units of the first period.
    const progress = ops.divide(step, this.firstDecaySteps);
    let restart: Tensor;
    let fraction: Tensor;
    if (this.tMul === 1) {
      // Equal periods: the restart index is the integer part, the fraction the rest.
      restart = ops.floor(progress);
      fraction = ops.subtract(progress, restart);
    } else {
      // Periods grow geometrically: period i starts at (1 - tMul**i) / (1 - tMul) first periods,
      // so i = floor(log(1 - progress * (1 - tMul)) / log(tMul)). tMul is a float32 tensor as in
      // Keras, so the floor lands on the same side of a restart boundary.
      const tMul = tensor(this.tMul, [], 'float32');
      const oneMinusTMul = ops.subtract(1, tMul);
      restart = ops.floor(ops.divide(ops.log(ops.subtract(1, ops.multiply(progress, oneMinusTMul))), ops.log(tMul)));
      const growth = ops.power(tMul, restart);
      const periodStart = ops.divide(ops.subtract(1, growth), oneMinusTMul);
      fraction = ops.divide(ops.subtract(progress, periodStart), growth);
    }
    const peak = ops.power(this.mMul, restart);
    const cosine = ops.multiply(ops.multiply(0.5, peak), ops.add(1, ops.cos(ops.multiply(Math.PI, fraction))));
    const decayed = ops.add(ops.multiply(1 - this.alpha, cosine), this.alpha);
    return ops.multiply(this.initialLearningRate, decayed);
  }

  getConfig(): Config {
    return {
      initial_learning_rate: this.initialLearningRate,
      first_decay_steps: this.firstDecaySteps,
      t_mul: this.tMul,
      m_mul: this.mMul,
      alpha: this.alpha,
      name: this.name,
    };
  }
}

registerClass('schedule', CosineDecayRestarts, { module: 'keras.optimizers.schedules', className: 'CosineDecayRestarts' });
