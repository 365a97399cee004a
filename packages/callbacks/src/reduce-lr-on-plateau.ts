import { type Config, type Logs, ValueError, registerClass } from '@strata/core';
import { Callback } from './callback';
import { printMsg, warnOnce } from './io';
import { readLearningRate, requireOptimizer } from './optimizer-access';
import { formatFloat } from './py-format';

export interface ReduceLROnPlateauOptions {
  /** Quantity to monitor. Default 'val_loss'. */
  monitor?: string;
  /** The learning rate is multiplied by it on a plateau; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement after which the rate is reduced. Default 10. */
  patience?: number;
  /** 1 prints each reduction. Default 0. */
  verbose?: number;
  /** 'min', 'max', or 'auto' (max when the monitor's name contains 'acc'). Default 'auto'. */
  mode?: 'auto' | 'min' | 'max';
  /** An improvement must beat the best by more than this. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
}

/**
 * `keras.callbacks.ReduceLROnPlateau`: multiplies the optimizer's learning rate by `factor` when
 * the monitored quantity has not improved for `patience` epochs, then waits `cooldown` epochs.
 * Also adds `learning_rate` to every epoch's logs.
 */
export class ReduceLROnPlateau extends Callback {
  monitor: string;
  factor: number;
  minLr: number;
  minDelta: number;
  patience: number;
  verbose: number;
  cooldown: number;
  cooldownCounter = 0;
  wait = 0;
  best = 0;
  mode: 'auto' | 'min' | 'max';
  protected monitorOp: ((a: number, b: number) => boolean) | null = null;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    const factor = options.factor ?? 0.1;
    if (!(factor < 1.0)) {
      throw new ValueError(`ReduceLROnPlateau does not support a factor >= 1.0. Received factor=${formatFloat(factor)}`);
    }
    this.factor = factor;
    this.minLr = options.minLr ?? 0.0;
    this.minDelta = options.minDelta ?? 1e-4;
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? 0;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? 'auto';
    this.reset();
  }

  /** Resets the counters and the best value, and picks the comparison (Keras' `_reset`). */
  private reset(): void {
    if (this.mode !== 'auto' && this.mode !== 'min' && this.mode !== 'max') {
      warnOnce(`Learning rate reduction mode ${String(this.mode)} is unknown, fallback to auto mode.`);
      this.mode = 'auto';
    }
    // Keras decides 'auto' from the name alone: anything containing 'acc' is maximized.
    if (this.mode === 'min' || (this.mode === 'auto' && !this.monitor.includes('acc'))) {
      this.monitorOp = (a, b) => a < b - this.minDelta;
      this.best = Number.POSITIVE_INFINITY;
    } else {
      this.monitorOp = (a, b) => a > b + this.minDelta;
      this.best = Number.NEGATIVE_INFINITY;
    }
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override onTrainBegin(_logs?: Logs): void {
    this.reset();
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    // Python's `logs or {}`: an empty dict is replaced, so nothing is added to it.
    const l: Logs = logs != null && Object.keys(logs).length > 0 ? logs : {};
    const optimizer = requireOptimizer(this.model, 'ReduceLROnPlateau');
    l.learning_rate = readLearningRate(optimizer, 'ReduceLROnPlateau');
    const current = l[this.monitor];
    if (current == null) {
      warnOnce(
        `Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. ` +
          `Available metrics are: ${Object.keys(l).join(',')}.`,
      );
      return;
    }
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.monitorOp!(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (!this.inCooldown()) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const oldLr = readLearningRate(optimizer, 'ReduceLROnPlateau');
        // Keras compares the (float32-read) rate with float32(min_lr).
        if (oldLr > Math.fround(this.minLr)) {
          const newLr = Math.max(oldLr * this.factor, this.minLr);
          optimizer.learningRate = newLr;
          if (this.verbose > 0) {
            printMsg(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${formatFloat(newLr)}.`);
          }
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }

  getConfig(): Config {
    return {
      monitor: this.monitor,
      factor: this.factor,
      patience: this.patience,
      verbose: this.verbose,
      mode: this.mode,
      min_delta: this.minDelta,
      cooldown: this.cooldown,
      min_lr: this.minLr,
    };
  }

  static fromConfig(config: Config): ReduceLROnPlateau {
    return new ReduceLROnPlateau({
      monitor: config.monitor as string | undefined,
      factor: config.factor as number | undefined,
      patience: config.patience as number | undefined,
      verbose: config.verbose as number | undefined,
      mode: config.mode as 'auto' | 'min' | 'max' | undefined,
      minDelta: config.min_delta as number | undefined,
      cooldown: config.cooldown as number | undefined,
      minLr: config.min_lr as number | undefined,
    });
  }
}

registerClass('callback', ReduceLROnPlateau, { module: 'keras.callbacks', className: 'ReduceLROnPlateau' });
