import { type Writer, getDefaultWriter } from './io';
import { formatExponential, formatFixed, formatInt } from './py-format';

/** A clock in milliseconds (`performance.now()` by default). */
export type Clock = () => number;

export interface ProgbarOptions {
  /** Total number of steps, `null` when unknown. */
  target: number | null;
  /** Width of the bar in characters. Default 20. */
  width?: number;
  /** 0: silent, 1: progress bar, 2: one line when finalized. Default 1. */
  verbose?: number;
  /** Minimum seconds between two redraws (verbose 1). Default 0.05. */
  interval?: number;
  /** Metrics shown as given instead of averaged over the updates. */
  statefulMetrics?: Iterable<string> | null;
  /** What a step is called: `3ms/step`. Default 'step'. */
  unitName?: string;
  /** Where the text goes. Default: `getDefaultWriter()` (stdout, or `console.log`). */
  writer?: Writer;
  /**
   * Redraw the line in place with `\r` (Keras' dynamic display). Default: the writer is a TTY.
   * Without it only the finished line of each bar is written.
   */
  dynamicDisplay?: boolean;
  /** Bold/colour ANSI escapes as Keras prints them. Default: the same as `dynamicDisplay`. */
  ansi?: boolean;
  /** Milliseconds clock, for tests. Default `performance.now()` (or `Date.now()`). */
  now?: Clock;
}

/** Values for `update`: `[name, value]` pairs (Keras' list of tuples) or a logs object. */
export type ProgbarValues = ReadonlyArray<readonly [string, number]> | Readonly<Record<string, number>>;

function defaultClock(): number {
  return typeof performance !== 'undefined' && typeof performance.now === 'function' ? performance.now() : Date.now();
}

const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
const GREEN = '\x1b[32m';
const WHITE = '\x1b[37m';
const BAR_CHAR = '\u2501';

/** Keras' `'%{n}d/%d'` with n the digits of `target`. */
function formatCount(current: number, target: number): string {
  // int(math.log10(target)) + 1, i.e. the digits of the integer part.
  const numdigits = target >= 1 ? String(Math.trunc(target)).length : 1;
  return `${formatInt(current).padStart(numdigits)}/${formatInt(target)}`;
}

/**
 * `keras.utils.Progbar`: the progress bar of `fit`, `evaluate` and `predict`.
 *
 * verbose 1: `12/12 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - accuracy: 0.8125 - loss: 0.4512`
 * verbose 2: `12/12 - 0s - 3ms/step - accuracy: 0.8125 - loss: 0.4512`
 */
export class Progbar {
  target: number | null;
  width: number;
  verbose: number;
  interval: number;
  unitName: string;
  statefulMetrics: Set<string>;
  readonly writer: Writer;
  readonly dynamicDisplay: boolean;
  readonly ansi: boolean;

  private readonly now: Clock;
  private seenSoFar = 0;
  private values = new Map<string, [number, number]>();
  private valuesOrder: string[] = [];
  private start: number;
  private lastUpdate = Number.NEGATIVE_INFINITY;
  private timeAfterFirstStep: number | null = null;
  private prevTotalWidth = 0;

  constructor(options: ProgbarOptions | number | null) {
    const o: ProgbarOptions = typeof options === 'number' || options == null ? { target: options } : options;
    this.target = o.target ?? null;
    this.width = o.width ?? 20;
    this.verbose = o.verbose ?? 1;
    this.interval = o.interval ?? 0.05;
    this.unitName = o.unitName ?? 'step';
    this.statefulMetrics = new Set(o.statefulMetrics ?? []);
    this.writer = o.writer ?? getDefaultWriter();
    this.dynamicDisplay = o.dynamicDisplay ?? Boolean(this.writer.isTTY);
    this.ansi = o.ansi ?? this.dynamicDisplay;
    this.now = o.now ?? defaultClock;
    this.start = this.seconds();
  }

  private seconds(): number {
    return this.now() / 1000;
  }

  /**
   * Updates the bar to step `current`. Values of non-stateful metrics are averaged over the
   * updates (weighted by the steps each covers); a finalizing update shows them as given.
   * `finalize` defaults to `current >= target`.
   */
  update(current: number, values?: ProgbarValues | null, finalize?: boolean): void {
    if (finalize == null) finalize = this.target == null ? false : current >= this.target;
    const pairs: ReadonlyArray<readonly [string, number]> =
      values == null ? [] : Array.isArray(values) ? values : Object.entries(values);
    for (const [k, v] of pairs) {
      if (!this.valuesOrder.includes(k)) this.valuesOrder.push(k);
      if (!this.statefulMetrics.has(k)) {
        if (finalize) {
          this.values.set(k, [v, 1]);
        } else {
          const base = Math.max(current - this.seenSoFar, 1);
          const acc = this.values.get(k);
          if (acc == null) this.values.set(k, [v * base, base]);
          else {
            acc[0] += v * base;
            acc[1] += base;
          }
        }
      } else {
        this.values.set(k, [v, 1]);
      }
    }
    this.seenSoFar = current;

    const now = this.seconds();
    const timePerUnit = this.estimateStepDuration(current, now);

    if (this.verbose === 1) {
      if (now - this.lastUpdate < this.interval && !finalize) return;
      this.lastUpdate = now;
      // Without dynamic display only the finished line is written.
      if (!this.dynamicDisplay && !finalize) return;
      const [bar, plainBar] = this.formatBar(current);
      let info: string;
      let plainInfo: string;
      if (this.target != null && !finalize) {
        const eta = formatEta(timePerUnit * (this.target - current));
        info = ` ${this.style(BOLD, eta)}`;
        plainInfo = ` ${eta}`;
      } else {
        const elapsed = `${formatFixed(now - this.start, 0)}s`;
        info = ` ${this.style(BOLD, elapsed)}`;
        plainInfo = ` ${elapsed}`;
      }
      let rest = formatTime(timePerUnit, this.unitName);
      for (const k of this.valuesOrder) {
        const [sum, count] = this.values.get(k)!;
        const avg = sum / Math.max(1, count);
        rest += ` - ${k}: ${Math.abs(avg) > 1e-3 ? formatFixed(avg, 4) : formatExponential(avg, 4)}`;
      }
      info += rest;
      plainInfo += rest;
      const totalWidth = plainBar.length + plainInfo.length;
      let message = this.dynamicDisplay ? `${'\b'.repeat(this.prevTotalWidth)}\r` : '';
      message += bar + info;
      if (this.prevTotalWidth > totalWidth) message += ' '.repeat(this.prevTotalWidth - totalWidth);
      if (finalize) message += '\n';
      this.writer.write(message);
      this.prevTotalWidth = totalWidth;
    } else if (this.verbose === 2) {
      if (finalize) {
        const count = this.target != null ? formatCount(current, this.target) : `${formatInt(current)}/Unknown`;
        let info = `${count} - ${formatFixed(now - this.start, 0)}s`;
        info += ` -${formatTime(timePerUnit, this.unitName)}`;
        for (const k of this.valuesOrder) {
          const [sum, count] = this.values.get(k)!;
          const avg = sum / Math.max(1, count);
          // Keras tests `avg > 1e-3` here (not the absolute value).
          info += ` - ${k}: ${avg > 1e-3 ? formatFixed(avg, 4) : formatExponential(avg, 4)}`;
        }
        this.writer.write(`${info}\n`);
      }
      this.lastUpdate = now;
    } else {
      this.lastUpdate = now;
    }
  }

  /** Advances the bar by `n` steps. */
  add(n: number, values?: ProgbarValues | null): void {
    this.update(this.seenSoFar + n, values);
  }

  private style(code: string, text: string): string {
    return this.ansi ? `${code}${text}${RESET}` : text;
  }

  /** The count and bar, with and without escapes. */
  private formatBar(current: number): [string, string] {
    if (this.target == null) {
      const bar = `${formatInt(current).padStart(7)}/Unknown`;
      return [bar, bar];
    }
    const count = formatCount(current, this.target);
    const progWidth = Math.trunc((this.width * current) / this.target);
    const done = BAR_CHAR.repeat(Math.max(0, progWidth));
    const todo = BAR_CHAR.repeat(Math.max(0, this.width - progWidth));
    let bar = `${this.style(BOLD, count)} `;
    if (progWidth > 0) bar += this.style(GREEN, done);
    bar += this.style(WHITE, todo);
    return [bar, `${count} ${done}${todo}`];
  }

  /**
   * Seconds per step; the first step (compilation, warm-up) is left out once there are more.
   */
  private estimateStepDuration(current: number, now: number): number {
    if (!current) return 0;
    const timePerUnit =
      this.timeAfterFirstStep != null && current > 1
        ? (now - this.timeAfterFirstStep) / (current - 1)
        : (now - this.start) / current;
    if (current === 1) this.timeAfterFirstStep = now;
    return timePerUnit;
  }
}

/** Keras' ETA: `7s`, `1:05`, `1:01:05`. */
export function formatEta(eta: number): string {
  if (eta > 3600) {
    return `${formatInt(Math.floor(eta / 3600))}:${formatInt(Math.floor((eta % 3600) / 60)).padStart(2, '0')}:${formatInt(eta % 60).padStart(2, '0')}`;
  }
  if (eta > 60) return `${formatInt(Math.floor(eta / 60))}:${formatInt(eta % 60).padStart(2, '0')}`;
  return `${formatInt(eta)}s`;
}

/** Keras' time per unit: ` 2s/step`, ` 3ms/step`, ` 850us/step` (with the leading space). */
export function formatTime(timePerUnit: number, unitName: string): string {
  if (timePerUnit >= 1 || timePerUnit === 0) return ` ${formatFixed(timePerUnit, 0)}s/${unitName}`;
  if (timePerUnit >= 1e-3) return ` ${formatFixed(timePerUnit * 1000.0, 0)}ms/${unitName}`;
  return ` ${formatFixed(timePerUnit * 1000000.0, 0)}us/${unitName}`;
}
