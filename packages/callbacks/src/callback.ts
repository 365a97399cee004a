import { type CallbackLike, type Logs, type Tensor, type TrainingParams, registerClass } from '@strata/core';

/**
 * What a callback may use of the model it is attached to. `@strata/models` passes its `Model`,
 * which has this shape.
 */
export interface CallbackModel {
  /** Set to true to end `fit` after the current epoch. */
  stopTraining: boolean;
  /** Copies of the weights, in `setWeights` order; the caller owns (and disposes) them. */
  getWeights(): Tensor[];
  /** Assigns the values; the caller keeps ownership of `weights` (they are copied). */
  setWeights(weights: Tensor[]): void;
  /** `learningRate` is read as a number (or scalar tensor) and set with a number. */
  optimizer?: { learningRate: unknown } | null;
  /** Set to the `History` of the current `fit` (Keras' `model.history`). */
  history?: unknown;
  /**
   * The compiled metrics, flat; `direction` ('up' for accuracy-like metrics, 'down' for error-like
   * ones) lets `EarlyStopping({ mode: 'auto' })` choose min or max as Keras does.
   */
  metrics?: ReadonlyArray<{ readonly name: string; readonly direction?: 'up' | 'down' | null }>;
  /**
   * Set by a callback in `onTrainBegin` (BackupAndRestore) to make `fit` start at this epoch;
   * `fit` reads it right after `onTrainBegin`.
   */
  initialEpoch?: number | null;
}

/** The loop a batch hook belongs to. */
export type BatchMode = 'train' | 'test' | 'predict';

/**
 * `keras.callbacks.Callback`: subclass it and override the hooks you need. Every hook may be
 * `async`; the training loop awaits it.
 *
 * `model` is set by `setModel` before training starts (the training loop does it); it is
 * `undefined` before.
 */
export class Callback<M extends CallbackModel = CallbackModel> implements CallbackLike {
  /** The model being trained, evaluated or run. */
  model!: M;
  /** Training parameters (`{ verbose, epochs, steps }`). */
  params: TrainingParams = {};

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  setModel(model: M): void {
    this.model = model;
  }

  /** Alias of `onTrainBatchBegin` kept for backwards compatibility (as in Keras). */
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}

  /** Alias of `onTrainBatchEnd` kept for backwards compatibility (as in Keras). */
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}

  /** Start of an epoch (training only). */
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}

  /** End of an epoch: `logs` holds the epoch's metrics, then the `val_` ones. */
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}

  onTrainBatchBegin(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchBegin(batch, logs);
  }

  /** `logs`: the metrics aggregated over the epoch so far. */
  onTrainBatchEnd(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchEnd(batch, logs);
  }

  onTestBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}

  onTestBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}

  onPredictBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}

  onPredictBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}

  onTrainBegin(_logs?: Logs): void | Promise<void> {}

  /** `logs`: those of the last `onEpochEnd`. */
  onTrainEnd(_logs?: Logs): void | Promise<void> {}

  onTestBegin(_logs?: Logs): void | Promise<void> {}

  onTestEnd(_logs?: Logs): void | Promise<void> {}

  onPredictBegin(_logs?: Logs): void | Promise<void> {}

  onPredictEnd(_logs?: Logs): void | Promise<void> {}

  /**
   * Whether this callback reads the metric values passed to the batch-end hook of `mode`. The
   * training loop may pass empty logs, and skip reading metrics back from the device, when no
   * callback does. Default: true when the batch-end hook (or `onBatchEnd`, for 'train') is
   * overridden.
   */
  needsBatchLogs(mode: BatchMode = 'train'): boolean {
    const base = Callback.prototype;
    switch (mode) {
      case 'train':
        return this.onTrainBatchEnd !== base.onTrainBatchEnd || this.onBatchEnd !== base.onBatchEnd;
      case 'test':
        return this.onTestBatchEnd !== base.onTestBatchEnd;
      case 'predict':
        return this.onPredictBatchEnd !== base.onPredictBatchEnd;
    }
  }
}

registerClass('callback', Callback, { module: 'keras.callbacks', className: 'Callback' });
