import { type Logs, ValueError, registerClass } from '@strata/core';
import { Callback } from './callback';

type EpochHook = (epoch: number, logs?: Logs) => void | Promise<void>;
type BatchHook = (batch: number, logs?: Logs) => void | Promise<void>;
type LogsHook = (logs?: Logs) => void | Promise<void>;

/** The hooks LambdaCallback accepts: every `Callback` hook. */
export interface LambdaCallbackOptions {
  onEpochBegin?: EpochHook;
  onEpochEnd?: EpochHook;
  onTrainBegin?: LogsHook;
  onTrainEnd?: LogsHook;
  onTrainBatchBegin?: BatchHook;
  onTrainBatchEnd?: BatchHook;
  onBatchBegin?: BatchHook;
  onBatchEnd?: BatchHook;
  onTestBegin?: LogsHook;
  onTestEnd?: LogsHook;
  onTestBatchBegin?: BatchHook;
  onTestBatchEnd?: BatchHook;
  onPredictBegin?: LogsHook;
  onPredictEnd?: LogsHook;
  onPredictBatchBegin?: BatchHook;
  onPredictBatchEnd?: BatchHook;
}

const HOOKS: ReadonlySet<string> = new Set([
  'onEpochBegin',
  'onEpochEnd',
  'onTrainBegin',
  'onTrainEnd',
  'onTrainBatchBegin',
  'onTrainBatchEnd',
  'onBatchBegin',
  'onBatchEnd',
  'onTestBegin',
  'onTestEnd',
  'onTestBatchBegin',
  'onTestBatchEnd',
  'onPredictBegin',
  'onPredictEnd',
  'onPredictBatchBegin',
  'onPredictBatchEnd',
]);

/**
 * `keras.callbacks.LambdaCallback`: a callback made of the given functions, each replacing the
 * hook of the same name (the others do nothing). Hooks may be async.
 *
 * ```ts
 * new LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) });
 * ```
 */
export class LambdaCallback extends Callback {
  constructor(options: LambdaCallbackOptions = {}) {
    super();
    for (const [name, fn] of Object.entries(options)) {
      if (fn == null) continue;
      if (!HOOKS.has(name)) {
        throw new ValueError(`LambdaCallback: unknown hook '${name}'. Known hooks: ${[...HOOKS].join(', ')}.`);
      }
      if (typeof fn !== 'function') {
        throw new ValueError(`LambdaCallback: '${name}' must be a function, got ${typeof fn}.`);
      }
      // An own property shadows the prototype's no-op, as Keras' instance attribute does.
      (this as unknown as Record<string, unknown>)[name] = fn;
    }
  }
}

registerClass('callback', LambdaCallback, { module: 'keras.callbacks', className: 'LambdaCallback' });
