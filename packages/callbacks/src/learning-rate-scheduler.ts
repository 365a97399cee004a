import { type Logs, ValueError, registerClass } from '@strata/core';
import { Callback } from './callback';
import { printMsg } from './io';
import { formatFloat } from './py-format';

/** `(epoch, lr) => newLr`: epoch from 0, `lr` the optimizer's current learning rate. */
export type LearningRateSchedule = (epoch: number, lr: number) => number;

export interface LearningRateSchedulerOptions {
  /** 1 prints each update. Default 0. */
  verbose?: number;
}

interface OptimizerWithLr {
  learningRate: unknown;
  iterations?: unknown;
}

/**
 * The optimizer's learning rate as Keras reads it, `float(convert_to_numpy(lr))` of a float32
 * variable: a number is rounded to float32, a scalar tensor or variable is read back.
 */
function readLearningRate(optimizer: OptimizerWithLr): number {
  const lr = optimizer.learningRate;
  if (typeof lr === 'number') return Math.fround(lr);
  if (lr != null && typeof (lr as { dataSync?: unknown }).dataSync === 'function') {
    return Number((lr as { dataSync(): ArrayLike<number> }).dataSync()[0]);
  }
  throw new ValueError(`The optimizer's learning rate is not a number: ${String(lr)}.`);
}

function isSchedule(lr: unknown): boolean {
  return lr != null && typeof lr === 'object' && typeof (lr as { apply?: unknown }).apply === 'function';
}

/**
 * `keras.callbacks.LearningRateScheduler`: at the start of every epoch, sets the optimizer's
 * learning rate to `schedule(epoch, lr)`; at the end of every epoch, adds `learning_rate` to the
 * logs (so `History` records it and the progress bar shows it).
 */
export class LearningRateScheduler extends Callback {
  schedule: LearningRateSchedule;
  verbose: number;

  constructor(schedule: LearningRateSchedule, options: LearningRateSchedulerOptions | number = {}) {
    super();
    this.schedule = schedule;
    this.verbose = typeof options === 'number' ? options : (options.verbose ?? 0);
  }

  private optimizer(): OptimizerWithLr {
    const optimizer = this.model?.optimizer as OptimizerWithLr | null | undefined;
    if (optimizer == null || !('learningRate' in optimizer)) {
      throw new ValueError('Optimizer must have a "learningRate" attribute.');
    }
    return optimizer;
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    const optimizer = this.optimizer();
    if (isSchedule(optimizer.learningRate)) {
      throw new TypeError(
        'This optimizer was created with a `LearningRateSchedule` object as its `learningRate` constructor ' +
          'argument, hence its learning rate is not settable. If you need the learning rate to be settable, ' +
          'you should instantiate the optimizer with a float `learningRate` argument.',
      );
    }
    const learningRate = this.schedule(epoch, readLearningRate(optimizer));
    if (typeof learningRate !== 'number') {
      throw new ValueError(`The output of the \`schedule\` function should be a float. Got: ${String(learningRate)}`);
    }
    optimizer.learningRate = learningRate;
    if (this.verbose > 0) {
      printMsg(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${formatFloat(learningRate)}.`);
    }
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    if (logs == null) return;
    logs.learning_rate = readLearningRate(this.optimizer());
  }
}

registerClass('callback', LearningRateScheduler, { module: 'keras.callbacks', className: 'LearningRateScheduler' });
