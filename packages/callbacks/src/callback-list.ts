import { type CallbackLike, type Logs, type TrainingParams, registerClass } from '@strata/core';
import { type BatchMode, Callback, type CallbackModel } from './callback';
import { History } from './history';
import { ProgbarLogger } from './progbar-logger';

/** Callbacks, possibly in nested arrays (Keras flattens them). */
export type CallbackInput = CallbackLike | ReadonlyArray<CallbackInput>;

export interface CallbackListOptions {
  /** Append a `History` unless the list has one. Default false (`fit` passes true). */
  addHistory?: boolean;
  /** Append a `ProgbarLogger` unless the list has one. Default false (`fit` passes `verbose !== 0`). */
  addProgbar?: boolean;
  /** Passed to every callback's `setModel`. */
  model?: CallbackModel | null;
  /** Passed to every callback's `setParams` (`{ verbose, epochs, steps }`). */
  params?: TrainingParams | null;
}

type HookName = Exclude<keyof CallbackLike, 'setModel' | 'setParams'> | 'onBatchBegin' | 'onBatchEnd';

const BASE = Callback.prototype as unknown as Record<string, unknown>;

/**
 * Keras' `pythonify_logs`: a fresh object with the keys sorted, which every callback of one call
 * shares (so what one callback adds, e.g. `learning_rate`, the next ones see).
 */
function sortedLogs(logs: Logs | undefined): Logs {
  const out: Logs = {};
  if (logs == null) return out;
  for (const k of Object.keys(logs).sort()) out[k] = logs[k]!;
  return out;
}

/** The base class's no-op hook (skipped: batch hooks run every step). */
function isBaseNoop(cb: CallbackLike, name: HookName): boolean {
  const own = cb as unknown as Record<string, unknown>;
  if (own[name] !== BASE[name]) return false;
  // The base train-batch hooks forward to the `onBatch*` aliases.
  if (name === 'onTrainBatchBegin') return own.onBatchBegin === BASE.onBatchBegin;
  if (name === 'onTrainBatchEnd') return own.onBatchEnd === BASE.onBatchEnd;
  return true;
}

function flatten(callbacks: unknown, out: CallbackLike[]): CallbackLike[] {
  if (Array.isArray(callbacks)) for (const c of callbacks) flatten(c, out);
  else if (callbacks != null) out.push(callbacks as CallbackLike);
  return out;
}

/**
 * `keras.callbacks.CallbackList`: calls every callback's hook in order, awaiting each (hooks may
 * be async). The training loop awaits every call: `await callbacks.onEpochEnd(epoch, logs)`.
 *
 * ```ts
 * const callbacks = new CallbackList(userCallbacks, {
 *   addHistory: true, addProgbar: verbose !== 0, model, params: { verbose, epochs, steps },
 * });
 * ```
 */
export class CallbackList extends Callback {
  callbacks: CallbackLike[];
  /** The `History` in the list (added or given), if any. */
  history: History | null = null;
  /** The `ProgbarLogger` in the list (added or given), if any. */
  progbar: ProgbarLogger | null = null;

  constructor(callbacks?: CallbackInput | null, options: CallbackListOptions = {}) {
    super();
    this.callbacks = flatten(callbacks, []);
    this.addDefaultCallbacks(options.addHistory ?? false, options.addProgbar ?? false);
    if (options.model != null) this.setModel(options.model);
    if (options.params != null) this.setParams(options.params);
  }

  private addDefaultCallbacks(addHistory: boolean, addProgbar: boolean): void {
    for (const cb of this.callbacks) {
      if (cb instanceof ProgbarLogger) this.progbar = cb;
      else if (cb instanceof History) this.history = cb;
    }
    if (this.history == null && addHistory) {
      this.history = new History();
      this.callbacks.push(this.history);
    }
    if (this.progbar == null && addProgbar) {
      this.progbar = new ProgbarLogger();
      this.callbacks.push(this.progbar);
    }
  }

  append(callback: CallbackLike): void {
    this.callbacks.push(callback);
  }

  override setParams(params: TrainingParams): void {
    this.params = params;
    for (const cb of this.callbacks) cb.setParams(params);
  }

  override setModel(model: CallbackModel): void {
    super.setModel(model);
    if (this.history != null) model.history = this.history;
    for (const cb of this.callbacks) cb.setModel(model);
  }

  /**
   * Whether any callback reads the metric values of the batch-end hook of `mode` ('train' by
   * default). When false the loop may pass empty logs (and skip reading metrics back from the
   * device) but must still call the batch hooks. Ask after `onTrainBegin` / `onTestBegin`.
   */
  override needsBatchLogs(mode: BatchMode = 'train'): boolean {
    for (const cb of this.callbacks) {
      const custom = cb as CallbackLike & {
        needsBatchLogs?: (mode: BatchMode) => boolean;
        onBatchEnd?: unknown;
      };
      if (typeof custom.needsBatchLogs === 'function') {
        if (custom.needsBatchLogs(mode)) return true;
      } else if (mode === 'train') {
        if (custom.onTrainBatchEnd != null || custom.onBatchEnd != null) return true;
      } else if (mode === 'test') {
        if (custom.onTestBatchEnd != null) return true;
      } else if (custom.onPredictBatchEnd != null) {
        return true;
      }
    }
    return false;
  }

  private async dispatch(name: HookName, first: number | undefined, logs: Logs | undefined): Promise<void> {
    const shared = sortedLogs(logs);
    for (const cb of this.callbacks) {
      const hook = (cb as unknown as Record<string, unknown>)[name];
      if (typeof hook !== 'function' || isBaseNoop(cb, name)) continue;
      const call = hook as (...args: unknown[]) => void | Promise<void>;
      const result = first === undefined ? call.call(cb, shared) : call.call(cb, first, shared);
      if (result != null && typeof (result as Promise<void>).then === 'function') await result;
    }
  }

  override onBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onBatchBegin', batch, logs);
  }

  override onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onBatchEnd', batch, logs);
  }

  override onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onEpochBegin', epoch, logs);
  }

  override onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onEpochEnd', epoch, logs);
  }

  override onTrainBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onTrainBatchBegin', batch, logs);
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onTrainBatchEnd', batch, logs);
  }

  override onTestBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onTestBatchBegin', batch, logs);
  }

  override onTestBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onTestBatchEnd', batch, logs);
  }

  override onPredictBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onPredictBatchBegin', batch, logs);
  }

  override onPredictBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.dispatch('onPredictBatchEnd', batch, logs);
  }

  override onTrainBegin(logs?: Logs): Promise<void> {
    return this.dispatch('onTrainBegin', undefined, logs);
  }

  override onTrainEnd(logs?: Logs): Promise<void> {
    return this.dispatch('onTrainEnd', undefined, logs);
  }

  override onTestBegin(logs?: Logs): Promise<void> {
    return this.dispatch('onTestBegin', undefined, logs);
  }

  override onTestEnd(logs?: Logs): Promise<void> {
    return this.dispatch('onTestEnd', undefined, logs);
  }

  override onPredictBegin(logs?: Logs): Promise<void> {
    return this.dispatch('onPredictBegin', undefined, logs);
  }

  override onPredictEnd(logs?: Logs): Promise<void> {
    return this.dispatch('onPredictEnd', undefined, logs);
  }
}

registerClass('callback', CallbackList, { module: 'keras.callbacks', className: 'CallbackList' });
