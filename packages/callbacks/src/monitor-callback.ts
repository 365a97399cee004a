import { ValueError } from '@strata/core';
import { Callback } from './callback';
import { warnOnce } from './io';

type MonitorOp = (a: number, b: number) => boolean;
const less: MonitorOp = (a, b) => a < b;
const greater: MonitorOp = (a, b) => a > b;

/**
 * Keras' `MonitorCallback` (keras/src/callbacks/monitor_callback.py): the base of callbacks that
 * track whether a monitored quantity improves. Picks `<` or `>` from `mode`, or in 'auto' mode
 * from the compiled metric's `direction` ('loss' is minimized).
 */
export class MonitorCallback extends Callback {
  monitor: string;
  mode: 'auto' | 'min' | 'max';
  /** The best value so far; null until the comparison is set up (then +-Infinity). */
  best: number | null;
  /** Signed once the direction is known (negative in 'min' mode), as in Keras. */
  minDelta: number;
  protected monitorOp: MonitorOp | null = null;

  constructor(monitor = 'val_loss', mode: string = 'auto', baseline: number | null = null, minDelta = 0) {
    super();
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
      warnOnce(`${new.target.name} mode '${mode}' is unknown, fallback to auto mode.`);
      mode = 'auto';
    }
    this.monitor = monitor;
    this.mode = mode as 'auto' | 'min' | 'max';
    this.best = baseline;
    this.minDelta = Math.abs(minDelta);
  }

  protected setMonitorOp(): void {
    if (this.mode === 'min') this.monitorOp = less;
    else if (this.mode === 'max') this.monitorOp = greater;
    else {
      const metricName = this.monitor.startsWith('val_') ? this.monitor.slice(4) : this.monitor;
      if (metricName === 'loss') this.monitorOp = less;
      const metric = this.model?.metrics?.find((m) => m.name === metricName);
      if (metric?.direction != null) this.monitorOp = metric.direction === 'up' ? greater : less;
      if (this.monitorOp == null) {
        throw new ValueError(
          `${this.constructor.name} callback received monitor=${this.monitor}, but Keras isn't able to ` +
            'automatically determine whether that metric should be maximized or minimized. Pass ' +
            "`mode: 'max'` in order to monitor based on the highest metric value, or pass `mode: 'min'` " +
            'in order to use the lowest value.',
        );
      }
    }
    if (this.monitorOp === less) this.minDelta *= -1;
    if (this.best == null) this.best = this.monitorOp === less ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  protected isImprovement(monitorValue: number, referenceValue: number | null): boolean {
    if (referenceValue == null) return true;
    return this.monitorOp!(monitorValue - this.minDelta, referenceValue);
  }
}
