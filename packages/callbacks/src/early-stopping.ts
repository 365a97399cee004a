import { type Logs, type Tensor, ValueError, dispose, registerClass } from '@strata/core';
import { Callback } from './callback';
import { printMsg, warnOnce } from './io';

export interface EarlyStoppingOptions {
  /** Quantity to monitor. Default 'val_loss'. */
  monitor?: string;
  /** Minimum change that counts as an improvement (its absolute value is used). Default 0. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** 1 prints when it stops and restores. Default 0. */
  verbose?: number;
  /** 'min', 'max', or 'auto' (from the metric). Default 'auto'. */
  mode?: 'auto' | 'min' | 'max';
  /** Training stops unless the monitored value improves on it. Default null. */
  baseline?: number | null;
  /** At the end of training, restore the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring (warm-up). Default 0. */
  startFromEpoch?: number;
}

type MonitorOp = (a: number, b: number) => boolean;
const less: MonitorOp = (a, b) => a < b;
const greater: MonitorOp = (a, b) => a > b;

// Keras 3 reads the direction from the compiled metric (`metric._direction`). When the model does
// not expose its metrics, these names (Keras' built-in metrics and their string aliases) decide.
const UP = new Set([
  'accuracy',
  'acc',
  'binary_accuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'top_k_categorical_accuracy',
  'sparse_top_k_categorical_accuracy',
  'true_positives',
  'true_negatives',
  'precision',
  'recall',
  'auc',
  'prc',
  'precision_at_recall',
  'recall_at_precision',
  'sensitivity_at_specificity',
  'specificity_at_sensitivity',
  'f1_score',
  'fbeta_score',
  'iou',
  'binary_iou',
  'mean_iou',
  'one_hot_iou',
  'one_hot_mean_iou',
  'cosine_similarity',
  'r2_score',
  'pearson_correlation',
  'concordance_correlation',
]);
const DOWN = new Set([
  'loss',
  'false_positives',
  'false_negatives',
  'mean_squared_error',
  'mse',
  'mean_absolute_error',
  'mae',
  'mean_absolute_percentage_error',
  'mape',
  'mean_squared_logarithmic_error',
  'msle',
  'root_mean_squared_error',
  'log_cosh_error',
  'logcosh',
  'hinge',
  'squared_hinge',
  'categorical_hinge',
  'kl_divergence',
  'kld',
  'kullback_leibler_divergence',
  'poisson',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'binary_focal_crossentropy',
  'categorical_focal_crossentropy',
]);

function directionFromName(name: string): 'up' | 'down' | null {
  const base = name.replace(/_\d+$/, '');
  for (const n of [name, base]) {
    if (UP.has(n)) return 'up';
    if (DOWN.has(n)) return 'down';
  }
  if (/(acc|accuracy|auc)$/.test(base)) return 'up';
  if (/loss$/.test(base)) return 'down';
  return null;
}

/**
 * `keras.callbacks.EarlyStopping`: stops training when the monitored quantity has stopped
 * improving for `patience` epochs (sets `model.stopTraining`).
 *
 * With `restoreBestWeights`, the weights of the best epoch are kept (as copies, disposed when
 * replaced) and set back on the model at the end of training, whether or not it stopped early.
 */
export class EarlyStopping extends Callback {
  monitor: string;
  patience: number;
  verbose: number;
  baseline: number | null;
  /** Signed once the direction is known (negative in 'min' mode), as in Keras. */
  minDelta: number;
  wait = 0;
  /** The epoch training was stopped at (0 if it was not). */
  stoppedEpoch = 0;
  restoreBestWeights: boolean;
  /** Copies of the best epoch's weights (only with `restoreBestWeights`). */
  bestWeights: Tensor[] | null = null;
  startFromEpoch: number;
  mode: 'auto' | 'min' | 'max';
  /** The best monitored value so far. */
  best: number | null = null;
  /** The epoch of the best value (0 before any). */
  bestEpoch = 0;
  protected monitorOp: MonitorOp | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.patience = options.patience ?? 0;
    this.verbose = options.verbose ?? 0;
    this.baseline = options.baseline ?? null;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = options.startFromEpoch ?? 0;
    let mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
      warnOnce(`EarlyStopping mode ${String(mode)} is unknown, fallback to auto mode.`);
      mode = 'auto';
    }
    this.mode = mode;
  }

  private setMonitorOp(): void {
    if (this.mode === 'min') this.monitorOp = less;
    else if (this.mode === 'max') this.monitorOp = greater;
    else {
      const metricName = this.monitor.startsWith('val_') ? this.monitor.slice(4) : this.monitor;
      let direction: 'up' | 'down' | null = metricName === 'loss' ? 'down' : null;
      const metric = this.model?.metrics?.find((m) => m.name === metricName);
      if (metric?.direction != null) direction = metric.direction === 'up' ? 'up' : 'down';
      if (direction == null) direction = directionFromName(metricName);
      if (direction == null) {
        throw new ValueError(
          `EarlyStopping callback received monitor=${this.monitor} but Keras isn't able to automatically ` +
            "determine whether that metric should be maximized or minimized. Pass `mode: 'max'` in order to " +
            "do early stopping based on the highest metric value, or pass `mode: 'min'` in order to use the " +
            'lowest value.',
        );
      }
      this.monitorOp = direction === 'up' ? greater : less;
    }
    if (this.monitorOp === less) this.minDelta *= -1;
  }

  override onTrainBegin(_logs?: Logs): void {
    // Allow instances to be re-used.
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.releaseBestWeights();
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    // Set up lazily, once the model's metrics are built.
    if (this.monitorOp == null) this.setMonitorOp();
    const current = this.getMonitorValue(logs);
    if (current == null || epoch < this.startFromEpoch) return;
    let capturedNow = false;
    if (this.restoreBestWeights && this.bestWeights == null) {
      // If best weights were never set, the current weights are the best.
      this.bestWeights = this.model.getWeights();
      this.bestEpoch = epoch;
      capturedNow = true;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights && !capturedNow) {
        this.releaseBestWeights();
        this.bestWeights = this.model.getWeights();
      }
      // Only restart wait if we beat both the baseline and our previous best.
      if (this.baseline == null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      // Patience has been exceeded: stop training.
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(_logs?: Logs): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printMsg(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights != null) {
      if (this.verbose > 0) {
        printMsg(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      }
      this.model.setWeights(this.bestWeights);
      // setWeights copies the values; the copies are not needed any more.
      this.releaseBestWeights();
    }
  }

  /** The monitored value in `logs`, or undefined (with a warning) when it is missing. */
  getMonitorValue(logs?: Logs): number | undefined {
    const l = logs ?? {};
    const value = l[this.monitor];
    if (value == null) {
      warnOnce(
        `Early stopping conditioned on metric \`${this.monitor}\` which is not available. ` +
          `Available metrics are: ${Object.keys(l).join(',')}`,
      );
    }
    return value ?? undefined;
  }

  private isImprovement(monitorValue: number, referenceValue: number | null): boolean {
    if (referenceValue == null) return true;
    return this.monitorOp!(monitorValue - this.minDelta, referenceValue);
  }

  private releaseBestWeights(): void {
    if (this.bestWeights != null) dispose(this.bestWeights);
    this.bestWeights = null;
  }
}

registerClass('callback', EarlyStopping, { module: 'keras.callbacks', className: 'EarlyStopping' });
