import { type Config, type Tensor, ValueError, ops, registerClass } from '@strata/core';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in discrete intervals (`floor(step / decaySteps)`). Default false. */
  staircase?: boolean;
  name?: string;
}

/**
 * keras.optimizers.schedules.ExponentialDecay:
 * `initialLearningRate * decayRate ** (step / decaySteps)` (the exponent floored when `staircase`).
 *
 * `new ExponentialDecay(0.1, 1000, 0.96)` or `new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 })`.
 */
export class ExponentialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(args: ExponentialDecayArgs);
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options?: { staircase?: boolean; name?: string },
  );
  constructor(
    first: number | ExponentialDecayArgs,
    decaySteps?: number,
    decayRate?: number,
    options: { staircase?: boolean; name?: string } = {},
  ) {
    super();
    const args: ExponentialDecayArgs =
      typeof first === 'number' ? { initialLearningRate: first, decaySteps: decaySteps!, decayRate: decayRate!, ...options } : first;
    if (args.initialLearningRate == null || args.decaySteps == null || args.decayRate == null) {
      throw new ValueError('ExponentialDecay: initialLearningRate, decaySteps and decayRate are required.');
    }
    if (!(args.decaySteps > 0)) {
      throw new ValueError(`ExponentialDecay: \`decaySteps\` must be > 0. Received: decaySteps=${args.decaySteps}`);
    }
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
    this.name = args.name ?? 'ExponentialDecay';
  }

  call(step: Tensor): Tensor {
    let p = ops.divide(ops.cast(step, 'float32'), this.decaySteps);
    if (this.staircase) p = ops.floor(p);
    return ops.multiply(this.initialLearningRate, ops.power(this.decayRate, p));
  }

  getConfig(): Config {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

registerClass('schedule', ExponentialDecay, { module: 'keras.optimizers.schedules', className: 'ExponentialDecay' });
