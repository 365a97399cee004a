import { type Config, type Logs, ValueError, dispose, registerClass } from '@strata/core';
import type { CallbackModel } from './callback';
import { Callback } from './callback';
import { loadCheckpoint, nodeFs, saveCheckpoint, writeFileAtomic } from './checkpoint-file';
import { captureState, restoreState } from './model-state';

export interface BackupAndRestoreOptions {
  /** 'epoch', or back up every this many batches. Default 'epoch'. */
  saveFreq?: 'epoch' | number;
  /** Keep the previous backup too, and fall back to it when the latest cannot be read. Default false. */
  doubleCheckpoint?: boolean;
  /** Delete the backup directory when training finishes. Default true. */
  deleteCheckpoint?: boolean;
}

/** What BackupAndRestore may use of the model, when it has it. */
interface RestorableModel extends CallbackModel {
  built?: boolean;
  saveWeights?(path: string): unknown;
  loadWeights?(path: string): unknown;
  savingAvailable?: boolean;
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * `keras.callbacks.BackupAndRestore`: backs up the training state (model weights, optimizer
 * variables, and the epoch to resume at) in `backupDir` at the end of every epoch (or every
 * `saveFreq` batches). When a new `fit` starts, `onTrainBegin` restores that state and sets
 * `model.initialEpoch`, which `fit` reads to resume at the next epoch. The backup is deleted
 * when training finishes (unless `deleteCheckpoint: false`).
 *
 * Weights go through the model's `saveWeights` / `loadWeights` when it has both; otherwise they
 * are written in the interim Strata checkpoint format (`checkpoint-file.ts`) to
 * `latest.strata-ckpt`. The epoch and batch go to `training_metadata.json`, as in Keras. Every
 * file is written atomically.
 */
export class BackupAndRestore extends Callback {
  declare model: RestorableModel;
  backupDir: string;
  saveFreq: 'epoch' | number;
  doubleCheckpoint: boolean;
  deleteCheckpoint: boolean;
  private batchesSeenSinceLastSaving = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;

  /** `new X(backupDir, options)` as in Keras, or `new X({ backupDir, ...options })`. */
  constructor(backupDir: string | (BackupAndRestoreOptions & { backupDir: string }), options: BackupAndRestoreOptions = {}) {
    super();
    if (typeof backupDir === 'object' && backupDir != null) {
      options = backupDir;
      backupDir = backupDir.backupDir;
    }
    this.saveFreq = options.saveFreq ?? 'epoch';
    this.doubleCheckpoint = options.doubleCheckpoint ?? false;
    this.deleteCheckpoint = options.deleteCheckpoint ?? true;
    if (!backupDir) throw new ValueError('Empty `backup_dir` argument passed');
    this.backupDir = backupDir;
    if (this.saveFreq !== 'epoch' && !Number.isInteger(this.saveFreq)) {
      throw new ValueError(
        `Invalid value for argument \`save_freq\`. Received: save_freq=${String(this.saveFreq)}. Expected either 'epoch' or an integer value.`,
      );
    }
  }

  private usesModelFormat(): boolean {
    return typeof this.model.saveWeights === 'function' && typeof this.model.loadWeights === 'function' && this.model.savingAvailable !== false;
  }

  /** The weights file: Keras' name with the model's own format, another with the interim one. */
  get weightsPath(): string {
    return join(this.backupDir, this.usesModelFormat() ? 'latest.weights.h5' : 'latest.strata-ckpt');
  }

  get trainingMetadataPath(): string {
    return join(this.backupDir, 'training_metadata.json');
  }

  private get prevWeightsPath(): string {
    return join(this.backupDir, this.usesModelFormat() ? '_latest.weights.h5' : '_latest.strata-ckpt');
  }

  private get prevTrainingMetadataPath(): string {
    return join(this.backupDir, '_training_metadata.json');
  }

  override async onTrainBegin(_logs?: Logs): Promise<void> {
    const fs = await nodeFs('BackupAndRestore');
    try {
      await this.loadModel();
    } catch (e) {
      // The latest backup cannot be read (e.g. cut short by a crash): fall back to the previous one.
      if (!(await exists(this.prevWeightsPath))) throw e;
      await fs.copyFile(this.prevWeightsPath, this.weightsPath);
      await fs.rm(this.prevWeightsPath);
      if (await exists(this.prevTrainingMetadataPath)) {
        await fs.copyFile(this.prevTrainingMetadataPath, this.trainingMetadataPath);
        await fs.rm(this.prevTrainingMetadataPath);
      } else if (await exists(this.trainingMetadataPath)) {
        await fs.rm(this.trainingMetadataPath);
      }
      await this.loadModel();
    }
  }

  /** Restores the backed-up state, if any, and tells `fit` where to resume. */
  private async loadModel(): Promise<void> {
    if (this.model.built === false) {
      throw new ValueError(
        'To use the BackupAndRestore callback, you model must be built before you call `fit()`. ' +
          'The model is unbuilt. You can build it beforehand by calling it on a batch of data.',
      );
    }
    if (await exists(this.weightsPath)) {
      if (this.usesModelFormat()) await this.model.loadWeights!(this.weightsPath);
      else restoreState(this.model, await loadCheckpoint(this.weightsPath), 'BackupAndRestore', this.weightsPath);
    }
    if (await exists(this.trainingMetadataPath)) {
      const fs = await nodeFs('BackupAndRestore');
      const text = await fs.readFile(this.trainingMetadataPath, 'utf8');
      let epoch: unknown;
      try {
        epoch = JSON.parse(text).epoch;
      } catch (e) {
        throw new ValueError(`BackupAndRestore: ${this.trainingMetadataPath} is not valid JSON (${(e as Error).message}).`);
      }
      if (!Number.isInteger(epoch)) {
        throw new ValueError(`BackupAndRestore: ${this.trainingMetadataPath} has no integer "epoch": ${text}`);
      }
      this.model.initialEpoch = epoch as number;
      this.currentEpoch = epoch as number;
    }
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    // Keras only updates this at epoch end; batch-level backups of the first resumed epoch would
    // otherwise record a stale epoch.
    this.currentEpoch = epoch;
  }

  override async onEpochEnd(epoch: number, _logs?: Logs): Promise<void> {
    this.currentEpoch = epoch + 1;
    this.lastBatchSeen = 0;
    if (this.saveFreq === 'epoch') await this.saveModel();
  }

  override async onTrainBatchEnd(batch: number, _logs?: Logs): Promise<void> {
    if (this.shouldSaveOnBatch(batch)) await this.saveModel();
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

  private async saveModel(): Promise<void> {
    const fs = await nodeFs('BackupAndRestore');
    await fs.mkdir(this.backupDir, { recursive: true });
    if (this.doubleCheckpoint) {
      if (await exists(this.weightsPath)) await fs.copyFile(this.weightsPath, this.prevWeightsPath);
      if (await exists(this.trainingMetadataPath)) await fs.copyFile(this.trainingMetadataPath, this.prevTrainingMetadataPath);
    }
    if (this.usesModelFormat()) {
      await this.model.saveWeights!(this.weightsPath);
    } else {
      const state = captureState(this.model);
      try {
        await saveCheckpoint(this.weightsPath, {
          weights: state.weights,
          optimizerVariables: state.optimizerVariables,
          epoch: this.currentEpoch,
          extra: { batch: this.lastBatchSeen },
        });
      } finally {
        dispose(state.weights.map((w) => w.tensor));
      }
    }
    // Python's json.dumps spacing.
    const metadata = `{"epoch": ${this.currentEpoch}, "batch": ${this.lastBatchSeen}}`;
    await writeFileAtomic(this.trainingMetadataPath, metadata, 'BackupAndRestore');
  }

  override async onTrainEnd(_logs?: Logs): Promise<void> {
    if (this.deleteCheckpoint && (await exists(this.backupDir))) {
      const fs = await nodeFs('BackupAndRestore');
      await fs.rm(this.backupDir, { recursive: true, force: true });
    }
  }

  getConfig(): Config {
    return {
      backup_dir: this.backupDir,
      save_freq: this.saveFreq,
      double_checkpoint: this.doubleCheckpoint,
      delete_checkpoint: this.deleteCheckpoint,
    };
  }

  static fromConfig(config: Config): BackupAndRestore {
    return new BackupAndRestore(config.backup_dir as string, {
      saveFreq: config.save_freq as 'epoch' | number | undefined,
      doubleCheckpoint: config.double_checkpoint as boolean | undefined,
      deleteCheckpoint: config.delete_checkpoint as boolean | undefined,
    });
  }
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs('BackupAndRestore');
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

registerClass('callback', BackupAndRestore, { module: 'keras.callbacks', className: 'BackupAndRestore' });
