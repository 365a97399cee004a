import { type Logs, registerClass } from '@strata/core';
import { Callback } from './callback';

/**
 * `keras.callbacks.History`: records the epoch logs. Added to every `fit`, which returns it.
 * `history.history.loss[i]` is the loss of epoch `history.epoch[i]`.
 */
export class History extends Callback {
  /** Metric name to its value at the end of each epoch. */
  history: Record<string, number[]> = {};
  /** The indices of the recorded epochs. */
  epoch: number[] = [];

  override onTrainBegin(_logs?: Logs): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs ?? {})) {
      const values = this.history[k];
      if (values == null) this.history[k] = [v];
      else values.push(v);
    }
    // Keras sets `model.history` after each epoch so it is the latest state.
    if (this.model != null) this.model.history = this;
  }
}

registerClass('callback', History, { module: 'keras.callbacks', className: 'History' });
