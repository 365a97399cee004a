import { type Config, type Logs, RuntimeError, registerClass } from '@strata/core';
import { Callback } from './callback';
import { printMsg } from './io';
import { formatFloat } from './py-format';

export interface TerminateOnNaNOptions {
  /** Throw a `RuntimeError` at once instead of stopping after the batch. Default false. */
  raiseError?: boolean;
}

/**
 * `keras.callbacks.TerminateOnNaN`: stops training when a batch's loss is NaN or infinite, by
 * setting `model.stopTraining` (so `onTrainEnd` still runs), or with `raiseError` by throwing a
 * `RuntimeError` (so it does not).
 */
export class TerminateOnNaN extends Callback {
  raiseError: boolean;

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    this.raiseError = options.raiseError ?? false;
  }

  override onBatchEnd(batch: number, logs?: Logs): void {
    const loss = logs?.loss;
    if (loss == null || Number.isFinite(loss)) return;
    if (this.raiseError) {
      throw new RuntimeError(
        `NaN or Inf loss encountered at batch ${batch}. Loss value: ${formatFloat(loss)}. Terminating training immediately.`,
      );
    }
    printMsg(`Batch ${batch}: Invalid loss, terminating training`);
    this.model.stopTraining = true;
  }

  getConfig(): Config {
    return { raise_error: this.raiseError };
  }

  static fromConfig(config: Config): TerminateOnNaN {
    return new TerminateOnNaN({ raiseError: config.raise_error as boolean | undefined });
  }
}

registerClass('callback', TerminateOnNaN, { module: 'keras.callbacks', className: 'TerminateOnNaN' });
