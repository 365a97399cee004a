import { type Logs, type TrainingParams, registerClass } from '@strata/core';
import { type BatchMode, Callback } from './callback';
import { type Writer, getDefaultWriter, printMsg } from './io';
import { type Clock, Progbar } from './progbar';

export interface ProgbarLoggerOptions {
  /** Where the bar goes. Default: `getDefaultWriter()` at the time a bar starts. */
  writer?: Writer;
  /** Redraw in place with `\r`. Default: the writer is a TTY. */
  dynamicDisplay?: boolean;
  /** ANSI bold/colours. Default: the same as `dynamicDisplay`. */
  ansi?: boolean;
  /** Milliseconds clock, for tests. */
  now?: Clock;
}

/**
 * `keras.callbacks.ProgbarLogger`: prints the progress bar and metrics of `fit` (one bar per
 * epoch, after an `Epoch i/n` line when there are several), `evaluate` and `predict`. `fit` adds
 * one when `verbose` is not 0; `params.verbose` picks the style (1: bar, 2: one line per epoch).
 */
export class ProgbarLogger extends Callback {
  seen = 0;
  progbar: Progbar | null = null;
  target: number | null = null;
  verbose = 1;
  epochs = 1;
  private calledInFit = false;
  private readonly options: ProgbarLoggerOptions;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    this.options = options;
  }

  override setParams(params: TrainingParams): void {
    super.setParams(params);
    const verbose = params.verbose as number | string | undefined;
    this.verbose = verbose === 'auto' || verbose == null ? 1 : Number(verbose);
    this.epochs = params.epochs ?? 1;
    this.target = params.steps ?? null;
  }

  override onTrainBegin(_logs?: Logs): void {
    // Inside `fit`, validation is silent.
    this.calledInFit = true;
  }

  override onTestBegin(_logs?: Logs): void {
    if (!this.calledInFit) {
      this.resetProgbar();
      this.maybeInitProgbar();
    }
  }

  override onPredictBegin(_logs?: Logs): void {
    this.resetProgbar();
    this.maybeInitProgbar();
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    this.resetProgbar();
    this.maybeInitProgbar();
    if (this.verbose && this.epochs > 1) printMsg(`Epoch ${epoch + 1}/${this.epochs}`, true, this.writer());
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    this.updateProgbar(batch, logs);
  }

  override onTestBatchEnd(batch: number, logs?: Logs): void {
    if (!this.calledInFit) this.updateProgbar(batch, logs);
  }

  override onPredictBatchEnd(batch: number, _logs?: Logs): void {
    // Prediction outputs are not shown.
    this.updateProgbar(batch, undefined);
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    this.finalizeProgbar(logs);
  }

  override onTestEnd(logs?: Logs): void {
    if (!this.calledInFit) this.finalizeProgbar(logs);
  }

  override onPredictEnd(logs?: Logs): void {
    this.finalizeProgbar(logs);
  }

  /** Only the verbose-1 bar shows per-batch values; predict never does. */
  override needsBatchLogs(mode: BatchMode = 'train'): boolean {
    if (this.verbose !== 1) return false;
    if (mode === 'train') return true;
    if (mode === 'test') return !this.calledInFit;
    return false;
  }

  private writer(): Writer {
    return this.options.writer ?? getDefaultWriter();
  }

  private resetProgbar(): void {
    this.seen = 0;
    this.progbar = null;
  }

  private maybeInitProgbar(): Progbar {
    if (this.progbar == null) {
      this.progbar = new Progbar({
        target: this.target,
        verbose: this.verbose,
        unitName: 'step',
        writer: this.writer(),
        dynamicDisplay: this.options.dynamicDisplay,
        ansi: this.options.ansi,
        now: this.options.now,
      });
    }
    return this.progbar;
  }

  private updateProgbar(batch: number, logs?: Logs): void {
    const progbar = this.maybeInitProgbar();
    this.seen = batch + 1; // One-indexed.
    if (this.verbose === 1) progbar.update(this.seen, logs ?? {}, false);
  }

  private finalizeProgbar(logs?: Logs): void {
    const progbar = this.maybeInitProgbar();
    if (this.target == null) {
      this.target = this.seen;
      progbar.target = this.target;
    }
    progbar.update(this.target, logs ?? {}, true);
  }
}

registerClass('callback', ProgbarLogger, { module: 'keras.callbacks', className: 'ProgbarLogger' });
