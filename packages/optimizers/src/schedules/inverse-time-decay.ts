import { type Config, type Tensor, ops, registerClass } from '@strata/core';
import { checkNumber, checkPositiveSteps, checkScheduleArgs } from './args';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface InverseTimeDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in discrete intervals (`floor(step / decaySteps)`). Default false. */
  staircase?: boolean;
  name?: string;
}

/**
 * keras.optimizers.schedules.InverseTimeDecay:
 * `initialLearningRate / (1 + decayRate * step / decaySteps)` (`step / decaySteps` floored when `staircase`).
 *
 * `new InverseTimeDecay(0.1, 1, 0.5)` or `new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 })`.
 */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(args: InverseTimeDecayArgs);
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options?: { staircase?: boolean; name?: string },
  );
  constructor(
    first: number | InverseTimeDecayArgs,
    decaySteps?: number,
    decayRate?: number,
    options: { staircase?: boolean; name?: string } = {},
  ) {
    super();
    const args: InverseTimeDecayArgs =
      typeof first === 'number' ? { initialLearningRate: first, decaySteps: decaySteps!, decayRate: decayRate!, ...options } : first;
    checkScheduleArgs('InverseTimeDecay', args, ['initialLearningRate', 'decaySteps', 'decayRate'], ['staircase', 'name']);
    checkNumber('InverseTimeDecay', 'initialLearningRate', args.initialLearningRate);
    checkPositiveSteps('InverseTimeDecay', 'decaySteps', args.decaySteps);
    checkNumber('InverseTimeDecay', 'decayRate', args.decayRate);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
    this.name = args.name ?? 'InverseTimeDecay';
  }

  call(step: Tensor): Tensor {
    let p = ops.divide(step, this.decaySteps);
    if (this.staircase) p = ops.floor(p);
    return ops.divide(this.initialLearningRate, ops.add(1, ops.multiply(this.decayRate, p)));
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

registerClass('schedule', InverseTimeDecay, { module: 'keras.optimizers.schedules', className: 'InverseTimeDecay' });
