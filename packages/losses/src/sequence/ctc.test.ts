import { memory, tensor } from '@strata/core';
import { expectAllClose, gradientError } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { CTC } from './ctc';
import { ctc, ctcLoss } from './functions';

// Brute-force float64 CTC: sums the probability of every path of length `steps` over `classes`
// whose collapse (merge repeats, then drop blanks) equals `label`.
function bruteForceCtc(logits: number[][], label: number[], blank = 0): number {
  const steps = logits.length;
  const classes = logits[0]!.length;
  const logProbs = logits.map((row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
  let total = 0;
  const path = new Array<number>(steps).fill(0);
  const visit = (t: number, logP: number) => {
    if (t === steps) {
      const out: number[] = [];
      let prev = -1;
      for (const c of path) {
        if (c !== prev && c !== blank) out.push(c);
        prev = c;
      }
      if (out.length === label.length && out.every((c, i) => c === label[i])) total += Math.exp(logP);
      return;
    }
    for (let c = 0; c < classes; c++) {
      path[t] = c;
      visit(t + 1, logP + logProbs[t]![c]!);
    }
  };
  visit(0, 0);
  return -Math.log(total);
}

// deterministic pseudo-random logits
function logitsOf(batch: number, steps: number, classes: number, seed: number): number[][][] {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 4 - 2;
  };
  return Array.from({ length: batch }, () => Array.from({ length: steps }, () => Array.from({ length: classes }, rnd)));
}

describe('ctc', () => {
  it('matches a brute-force float64 sum over all alignments (repeats, padding, empty label)', () => {
    const logits = logitsOf(5, 5, 4, 7);
    // labels padded with 0; lengths 2, 3 (with a repeat), 1, 0 and 2 (repeat needing a blank)
    const labels = [
      [1, 2, 0],
      [3, 3, 1],
      [2, 0, 0],
      [0, 0, 0],
      [1, 1, 0],
    ];
    const want = logits.map((l, i) => bruteForceCtc(l, labels[i]!.filter((c) => c !== 0)));
    expectAllClose(ctc(labels, logits), want, { rtol: 1e-5, atol: 1e-5 });
    expectAllClose(new CTC({ reduction: 'none' }).apply(labels, logits), want, { rtol: 1e-5, atol: 1e-5 });
    expectAllClose(new CTC().apply(labels, logits), want.reduce((a, b) => a + b, 0) / 5, { rtol: 1e-5 });
    expectAllClose(new CTC({ reduction: 'sum' }).apply(labels, logits, [1, 0, 2, 1, 1]), want[0]! + 2 * want[2]! + want[3]! + want[4]!, {
      rtol: 1e-5,
    });
  });

  it('ctcLoss: per-entry output lengths and another blank index', () => {
    const logits = logitsOf(2, 5, 3, 11);
    const labels = [
      [1, 2],
      [2, 2],
    ];
    // entry 0 uses 3 steps and one label; entry 1 uses all 5 steps and both labels
    const got = ctcLoss(labels, logits, [1, 2], [3, 5], 0);
    expectAllClose(got, [bruteForceCtc(logits[0]!.slice(0, 3), [1]), bruteForceCtc(logits[1]!, [2, 2])], { rtol: 1e-5 });
    // blank = 2: labels drawn from {0, 1}
    const got2 = ctcLoss([[0, 1], [1, 1]], logits, [2, 2], [5, 4], 2);
    expectAllClose(got2, [bruteForceCtc(logits[0]!, [0, 1], 2), bruteForceCtc(logits[1]!.slice(0, 4), [1, 1], 2)], { rtol: 1e-5 });
  });

  it('an impossible alignment gives +Infinity', () => {
    // [1, 1] needs 3 steps (1, blank, 1); only 2 are there
    const v = ctc([[1, 1]], logitsOf(1, 2, 3, 5));
    expect(v.dataSync()[0]).toBe(Number.POSITIVE_INFINITY);
    v.dispose();
  });

  it('gradient matches finite differences', () => {
    const labels = tensor([
      [1, 2, 0],
      [2, 2, 1],
    ]);
    const logits = tensor(logitsOf(2, 6, 3, 3));
    const l = new CTC();
    expect(gradientError((x) => l.apply(labels, x), [logits])).toBeLessThan(2e-2);
    labels.dispose();
    logits.dispose();
  });

  it('clear errors for bad shapes', () => {
    expect(() => ctc([1, 2], logitsOf(1, 3, 3, 1))).toThrow(/ctc: targets `y_true` .*Received: y_true.shape=\[2\]/);
    expect(() => ctc([[1, 2]], [[0.1, 0.2]])).toThrow(/ctc: logits `y_pred` .*Received: y_pred.shape=\[1, 2\]/);
    expect(() => ctc([[1], [2]], logitsOf(1, 3, 3, 1))).toThrow(/ctc_loss: .*target.shape=\[2, 1\], output.shape=\[1, 3, 3\]/);
    expect(() => ctcLoss([[1]], logitsOf(1, 3, 3, 1), [1], [3], 3)).toThrow(/`mask_index` must be an integer in \[0, 3\)/);
  });

  it('config, identifiers, no leaks', () => {
    expect(new CTC().getConfig()).toEqual({ name: 'ctc', reduction: 'sum_over_batch_size' });
    expect(CTC.fromConfig({ name: 'c', reduction: 'sum' }).getConfig()).toEqual({ name: 'c', reduction: 'sum' });
    expect(get('ctc')).toBeInstanceOf(CTC);
    expect(get('CTC')).toBeInstanceOf(CTC);
    const labels = tensor([[1, 2, 0]]);
    const logits = tensor(logitsOf(1, 4, 3, 9));
    const before = memory().numTensors;
    ctc(labels, logits).dispose();
    new CTC().apply(labels, logits, [2]).dispose();
    ctcLoss(labels, logits, [2], [4]).dispose();
    expect(memory().numTensors).toBe(before);
    labels.dispose();
    logits.dispose();
  });
});
