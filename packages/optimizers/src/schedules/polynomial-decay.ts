import { type Config, type Tensor, ValueError, ops, registerClass } from '@strata/core';
import { checkNumber, checkPositiveSteps, checkScheduleArgs } from './args';
import { LearningRateSchedule } from './learning-rate-schedule';

export interface PolynomialDecayOptions {
  /** The rate reached after `decaySteps` steps. Default 0.0001. */
  endLearningRate?: number;
  /** Power of the polynomial. Default 1 (linear). */
  power?: number;
  /** Restart the decay past `decaySteps`, over the next multiple of `decaySteps`. Default false. */
  cycle?: boolean;
  name?: string;
}

export interface PolynomialDecayArgs extends PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
}

/**
 * keras.optimizers.schedules.PolynomialDecay:
 * `(initial - end) * (1 - step / decaySteps) ** power + end`, with `step` clipped to `decaySteps`;
 * with `cycle`, `decaySteps` is instead stretched to the first multiple of it that is >= `step`.
 *
 * `new PolynomialDecay(0.1, 10000, { endLearningRate: 0.01, power: 0.5 })` or
 * `new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10000, endLearningRate: 0.01, power: 0.5 })`.
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;

  constructor(args: PolynomialDecayArgs);
  constructor(initialLearningRate: number, decaySteps: number, options?: PolynomialDecayOptions);
  constructor(first: number | PolynomialDecayArgs, decaySteps?: number, options: PolynomialDecayOptions = {}) {
    super();
    const args: PolynomialDecayArgs =
      typeof first === 'number' ? { initialLearningRate: first, decaySteps: decaySteps!, ...options } : first;
    checkScheduleArgs('PolynomialDecay', args, ['initialLearningRate', 'decaySteps'], ['endLearningRate', 'power', 'cycle', 'name']);
    checkNumber('PolynomialDecay', 'initialLearningRate', args.initialLearningRate);
    checkPositiveSteps('PolynomialDecay', 'decaySteps', args.decaySteps);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.endLearningRate = args.endLearningRate ?? 0.0001;
    this.power = args.power ?? 1.0;
    this.cycle = args.cycle ?? false;
    this.name = args.name ?? 'PolynomialDecay';
    checkNumber('PolynomialDecay', 'endLearningRate', this.endLearningRate);
    checkNumber('PolynomialDecay', 'power', this.power);
    if (typeof this.cycle !== 'boolean') {
      throw new ValueError(`PolynomialDecay: \`cycle\` must be a boolean. Received: cycle=${String(this.cycle)}`);
    }
  }

  call(step: Tensor): Tensor {
    let s = step;
    let decaySteps: Tensor | number = this.decaySteps;
    if (this.cycle) {
      // The first multiple of decaySteps at or past the step; step 0 uses decaySteps itself
      // (ceil(0) would make it 0).
      const multiplier = ops.where(ops.equal(s, 0), 1, ops.ceil(ops.divide(s, this.decaySteps)));
      decaySteps = ops.multiply(this.decaySteps, multiplier);
    } else {
      s = ops.minimum(s, this.decaySteps);
    }
    const p = ops.divide(s, decaySteps);
    return ops.add(
      ops.multiply(this.initialLearningRate - this.endLearningRate, ops.power(ops.subtract(1, p), this.power)),
      this.endLearningRate,
    );
  }

  getConfig(): Config {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }
}

registerClass('schedule', PolynomialDecay, { module: 'keras.optimizers.schedules', className: 'PolynomialDecay' });
