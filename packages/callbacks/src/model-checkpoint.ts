import { type Config, type Logs, ValueError, dispose, registerClass } from '@strata/core';
import type { CallbackModel } from './callback';
import { nodeFs, saveCheckpoint } from './checkpoint-file';
import { printMsg, warnOnce } from './io';
import { captureState } from './model-state';
import { MonitorCallback } from './monitor-callback';
import { formatFixed } from './py-format';
import { pyFormat } from './py-format-string';

export interface ModelCheckpointOptions {
  /** Quantity to monitor. Default 'val_loss'. */
  monitor?: string;
  /** 1 prints when the callback saves (or does not). Default 0. */
  verbose?: number;
  /** Save only when the monitored quantity improves. Default false. */
  saveBestOnly?: boolean;
  /** Save the weights only (`.weights.h5` path) instead of the whole model (`.keras`). Default false. */
  saveWeightsOnly?: boolean;
  /** 'min', 'max', or 'auto' (from the metric). Default 'auto'. */
  mode?: 'auto' | 'min' | 'max';
  /** 'epoch', or save every this many batches. Default 'epoch'. */
  saveFreq?: 'epoch' | number;
  /** Initial "best" value with `saveBestOnly`. Default null. */
  initialValueThreshold?: number | null;
}

/** What ModelCheckpoint may call on the model, when the model has it. */
interface SavingModel extends CallbackModel {
  save?(path: string): unknown;
  saveWeights?(path: string): unknown;
  /** False on a Strata Model when @strata/io is not imported: the interim format is used instead. */
  savingAvailable?: boolean;
}

const INT_KEYS: ReadonlySet<string> = new Set(['epoch', 'batch']);

function errorCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? '' : path.slice(0, i);
}

/**
 * `keras.callbacks.ModelCheckpoint`: saves the model or its weights every epoch or every
 * `saveFreq` batches, optionally only when the monitored quantity improves. The path may hold
 * Python format fields filled from the epoch (from 1), batch and logs: `'ckpt/{epoch:02d}-{val_loss:.2f}.keras'`.
 *
 * It calls the model's `save(path)` / `saveWeights(path)` (awaited) when the model has them;
 * otherwise it writes the interim Strata checkpoint format (`checkpoint-file.ts`: weights,
 * optimizer variables and the epoch) atomically under the same path.
 */
export class ModelCheckpoint extends MonitorCallback {
  declare model: SavingModel;
  filepath: string;
  verbose: number;
  saveBestOnly: boolean;
  saveWeightsOnly: boolean;
  saveFreq: 'epoch' | number;
  initialValueThreshold: number | null;
  private batchesSeenSinceLastSaving = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;

  /** `new ModelCheckpoint(filepath, options)` as in Keras, or `new ModelCheckpoint({ filepath, ...options })`. */
  constructor(filepath: string | (ModelCheckpointOptions & { filepath: string }), options: ModelCheckpointOptions = {}) {
    const opts = typeof filepath === 'object' && filepath != null ? filepath : options;
    super(opts.monitor ?? 'val_loss', opts.mode ?? 'auto', opts.initialValueThreshold ?? null);
    options = opts;
    this.verbose = options.verbose ?? 0;
    this.filepath = typeof filepath === 'object' && filepath != null ? filepath.filepath : filepath;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.saveFreq = options.saveFreq ?? 'epoch';
    this.initialValueThreshold = options.initialValueThreshold ?? null;
    if (this.saveFreq !== 'epoch' && !Number.isInteger(this.saveFreq)) {
      throw new ValueError(`Unrecognized save_freq: ${String(this.saveFreq)}. Expected save_freq are 'epoch' or integer values`);
    }
    if (typeof this.filepath !== 'string' || this.filepath === '') {
      throw new ValueError(`ModelCheckpoint: filepath must be a non-empty string. Received: filepath=${String(this.filepath)}`);
    }
    if (this.saveWeightsOnly) {
      if (!this.filepath.endsWith('.weights.h5')) {
        throw new ValueError(
          'When using `saveWeightsOnly: true` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` ' +
            `(Keras weights format). Received: filepath=${this.filepath}`,
        );
      }
    } else if (!this.filepath.endsWith('.keras') && !this.filepath.endsWith('.h5')) {
      throw new ValueError(`The filepath provided must end in \`.keras\` (Keras model format). Received: filepath=${this.filepath}`);
    }
  }

  override async onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (this.shouldSaveOnBatch(batch)) await this.saveModel(this.currentEpoch, batch, logs);
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    this.currentEpoch = epoch;
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    // Set up lazily, once the model's metrics are built.
    if (this.monitorOp == null) this.setMonitorOp();
    if (this.saveFreq === 'epoch') await this.saveModel(epoch, null, logs);
  }

  /** Counts batches across epochs (a batch index not above the last one starts a new epoch). */
  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === 'epoch') return false;
    const add = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSeenSinceLastSaving += add;
    this.lastBatchSeen = batch;
    if (this.batchesSeenSinceLastSaving >= this.saveFreq) {
      this.batchesSeenSinceLastSaving = 0;
      return true;
    }
    return false;
  }

  private shouldSaveModel(epoch: number, logs: Logs, filepath: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: saving model to ${filepath}`);
      return true;
    }
    const current = logs[this.monitor];
    if (current == null) {
      warnOnce(`Can save best model only with ${this.monitor} available.`);
      return true;
    }
    // Keras sets the comparison up at the first epoch end; a batch-level save may come first.
    if (this.monitorOp == null) this.setMonitorOp();
    const bestStr = this.best == null ? 'None' : formatFixed(this.best, 5);
    if (this.isImprovement(current, this.best)) {
      if (this.verbose > 0) {
        printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestStr} to ${formatFixed(current, 5)}, saving model to ${filepath}`);
      }
      this.best = current;
      return true;
    }
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestStr}`);
    return false;
  }

  /** The path for this save: the template filled with the epoch (from 1), the batch (from 1) and the logs. */
  getFilePath(epoch: number, batch: number | null, logs: Logs): string {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch != null && !('batch' in logs)) values.batch = batch + 1;
    try {
      return pyFormat(this.filepath, values, INT_KEYS);
    } catch (e) {
      throw new ValueError(`Failed to format this callback filepath: "${this.filepath}". Reason: ${(e as Error).message}`);
    }
  }

  private async saveModel(epoch: number, batch: number | null, logs?: Logs): Promise<void> {
    const l = logs ?? {};
    const filepath = this.getFilePath(epoch, batch, l);
    if (!this.shouldSaveModel(epoch, l, filepath)) return;
    try {
      await this.write(filepath, epoch, batch);
    } catch (e) {
      if (errorCode(e) === 'EISDIR' || /is a directory/i.test(String((e as Error)?.message))) {
        throw new ValueError(
          `Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: ${filepath}`,
        );
      }
      throw e;
    }
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: finished saving model to ${filepath}`);
  }

  private async write(filepath: string, epoch: number, batch: number | null): Promise<void> {
    const model = this.model;
    const method = this.saveWeightsOnly ? model.saveWeights : model.save;
    if (typeof method === 'function' && model.savingAvailable !== false) {
      // Create the host directory if it does not exist (where there is a file system).
      const dir = dirname(filepath);
      if (dir !== '') {
        const fs = await nodeFs('ModelCheckpoint').catch(() => null);
        await fs?.mkdir(dir, { recursive: true });
      }
      await method.call(model, filepath);
      return;
    }
    const state = captureState(model);
    try {
      await saveCheckpoint(filepath, {
        weights: state.weights,
        optimizerVariables: state.optimizerVariables,
        epoch,
        extra: { batch, save_weights_only: this.saveWeightsOnly },
      });
    } finally {
      dispose(state.weights.map((w) => w.tensor));
    }
  }

  getConfig(): Config {
    return {
      filepath: this.filepath,
      monitor: this.monitor,
      verbose: this.verbose,
      save_best_only: this.saveBestOnly,
      save_weights_only: this.saveWeightsOnly,
      mode: this.mode,
      save_freq: this.saveFreq,
      initial_value_threshold: this.initialValueThreshold,
    };
  }

  static fromConfig(config: Config): ModelCheckpoint {
    return new ModelCheckpoint(config.filepath as string, {
      monitor: config.monitor as string | undefined,
      verbose: config.verbose as number | undefined,
      saveBestOnly: config.save_best_only as boolean | undefined,
      saveWeightsOnly: config.save_weights_only as boolean | undefined,
      mode: config.mode as 'auto' | 'min' | 'max' | undefined,
      saveFreq: config.save_freq as 'epoch' | number | undefined,
      initialValueThreshold: config.initial_value_threshold as number | null | undefined,
    });
  }
}

registerClass('callback', ModelCheckpoint, { module: 'keras.callbacks', className: 'ModelCheckpoint' });
