import { describe, expect, it } from 'vitest';
import type { Writer } from './io';
import { Progbar, type ProgbarOptions, formatEta, formatTime } from './progbar';
import golden from './progbar.golden.json';

interface Step {
  t: number;
  current: number;
  values?: [string, number][];
  finalize?: boolean | null;
}
interface Scenario {
  start: number;
  opts: { target: number | null; verbose: number; stateful_metrics?: string[] };
  steps: Step[];
  expected: string;
}

function capture(isTTY = false): Writer & { text: string } {
  const w = {
    text: '',
    isTTY,
    write(s: string) {
      w.text += s;
    },
  };
  return w;
}

/** Replays a scenario (times in seconds) on a fake clock; returns what was written. */
function replay(s: Scenario, extra: Partial<ProgbarOptions> = {}): string {
  let ms = Math.round(s.start * 1000);
  const writer = capture();
  const bar = new Progbar({
    target: s.opts.target,
    verbose: s.opts.verbose,
    statefulMetrics: s.opts.stateful_metrics,
    writer,
    dynamicDisplay: true,
    ansi: true,
    now: () => ms,
    ...extra,
  });
  for (const step of s.steps) {
    ms = Math.round(step.t * 1000);
    if (step.finalize === true && bar.target == null) bar.target = step.current;
    bar.update(step.current, step.values ?? [], step.finalize ?? undefined);
  }
  return writer.text;
}

const scenarios = golden.scenarios as unknown as Record<string, Scenario>;
const stripAnsi = (s: string) => ['\x1b[0m', '\x1b[1m', '\x1b[32m', '\x1b[37m'].reduce((t, code) => t.replaceAll(code, ''), s);

describe('Progbar (Keras 3 output)', () => {
  it.each(Object.keys(scenarios))('matches Keras for %s', (name) => {
    expect(replay(scenarios[name]!)).toBe(scenarios[name]!.expected);
  });

  it('without dynamic display writes only the finished line, without escapes', () => {
    const out = replay(scenarios.fit_v1!, { dynamicDisplay: false, ansi: undefined });
    expect(out).toBe(
      '12/12 ━━━━━━━━━━━━━━━━━━━━ 1s 40ms/step - accuracy: 0.8125 - loss: 0.4512 - val_accuracy: 0.0312 - val_loss: 4.9000e-04\n',
    );
    const lastLine = scenarios.fit_v1!.expected.split('\r').at(-1)!;
    expect(out).toBe(stripAnsi(lastLine));
  });

  it('verbose 2 prints one line, verbose 0 nothing', () => {
    expect(replay(scenarios.fit_v2!, { dynamicDisplay: false })).toBe(
      '12/12 - 1s - 40ms/step - accuracy: 0.8125 - loss: 0.4512 - val_accuracy: 0.0312 - val_loss: 4.9000e-04\n',
    );
    const silent = { ...scenarios.fit_v1!, opts: { target: 12, verbose: 0 } };
    expect(replay(silent)).toBe('');
  });

  it('dynamic display follows the writer, escapes follow dynamic display', () => {
    const tty = new Progbar({ target: 3, writer: capture(true) });
    expect(tty.dynamicDisplay).toBe(true);
    expect(tty.ansi).toBe(true);
    const file = new Progbar({ target: 3, writer: capture(false) });
    expect(file.dynamicDisplay).toBe(false);
    expect(file.ansi).toBe(false);
  });

  it('accepts a logs object and add()', () => {
    let ms = 0;
    const writer = capture();
    const bar = new Progbar({ target: 4, writer, dynamicDisplay: false, now: () => ms });
    ms = 2000;
    bar.add(2, { loss: 1 });
    ms = 4000;
    bar.add(2, { loss: 0.5 });
    // The finalizing update shows the value as given; 4s over 4 steps is 1s/step.
    expect(writer.text).toBe('4/4 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.5000\n');
  });

  it('time and ETA formats', () => {
    expect(formatTime(0, 'step')).toBe(' 0s/step');
    expect(formatTime(2.5, 'step')).toBe(' 2s/step');
    expect(formatTime(0.0035, 'step')).toBe(' 4ms/step');
    expect(formatTime(0.00085, 'sample')).toBe(' 850us/sample');
    expect(formatEta(59.9)).toBe('59s');
    expect(formatEta(63.2)).toBe('1:03');
    expect(formatEta(3725)).toBe('1:02:05');
  });
});
