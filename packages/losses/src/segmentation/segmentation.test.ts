import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { Dice } from './dice';
import { dice, tversky } from './functions';
import { Tversky } from './tversky';

const EPS = 1e-7;
// Keras' Dice docstring inputs, shape (2, 2, 2, 1)
const YT = [
  [[[1], [1]], [[0], [0]]],
  [[[1], [1]], [[0], [0]]],
];
const YP = [
  [[[0], [1]], [[0], [1]]],
  [[[0.4], [0]], [[0], [0.9]]],
];
const flat = (x: number[][][][]) => x.map((s) => s.flat(3));

// float64 references per sample (sums over every non-batch axis) and over everything
function refTversky(t: number[], p: number[], alpha: number, beta: number): number {
  let i = 0;
  let fp = 0;
  let fn = 0;
  t.forEach((v, j) => {
    i += v * p[j]!;
    fp += (1 - p[j]!) * v;
    fn += p[j]! * (1 - v);
  });
  return 1 - i / (i + alpha * fp + beta * fn + EPS);
}
function refDice(t: number[], p: number[]): number {
  const i = t.reduce((a, v, j) => a + v * p[j]!, 0);
  const s = t.reduce((a, v) => a + v, 0) + p.reduce((a, v) => a + v, 0);
  return 1 - (2 * i) / (s + EPS);
}

describe('Dice', () => {
  it('Keras docstring numbers: per sample with axis (1, 2, 3), one scalar without', () => {
    expectAllClose(dice(YT, YP, { axis: [1, 2, 3] }), [0.5, 0.75757575], { rtol: 1e-5 });
    const all = dice(YT, YP);
    expect(all.shape).toEqual([]);
    expectAllClose(all, 0.6164384, { rtol: 1e-5 });
    all.dispose();
    expectAllClose(new Dice({ axis: [1, 2, 3], reduction: null }).apply(YT, YP), [0.5, 0.75757575], { rtol: 1e-5 });
  });

  it('matches the float64 reference; sample weights and reductions act on the per-sample values', () => {
    const rows = flat(YT).map((t, i) => refDice(t, flat(YP)[i]!));
    expectAllClose(dice(YT, YP, { axis: [1, 2, 3] }), rows, { rtol: 1e-6 });
    expectAllClose(dice(YT, YP), refDice(flat(YT).flat(), flat(YP).flat()), { rtol: 1e-6 });
    const l = new Dice({ axis: [1, 2, 3] });
    expectAllClose(l.apply(YT, YP), (rows[0]! + rows[1]!) / 2, { rtol: 1e-6 });
    expectAllClose(l.apply(YT, YP, [3, 1]), (3 * rows[0]! + rows[1]!) / 2, { rtol: 1e-6 });
    expectAllClose(new Dice({ axis: [1, 2, 3], reduction: 'sum' }).apply(YT, YP, [3, 1]), 3 * rows[0]! + rows[1]!, { rtol: 1e-6 });
    expectAllClose(new Dice({ axis: [1, 2, 3], reduction: 'mean_with_sample_weight' }).apply(YT, YP, [3, 1]), (3 * rows[0]! + rows[1]!) / 4, {
      rtol: 1e-6,
    });
    // a single axis: (2, 2, 2, 1) -> (2, 2, 1)
    expect(dice(YT, YP, { axis: 1 }).shape).toEqual([2, 2, 1]);
  });

  it('all-zero targets and predictions stay finite (loss 1)', () => {
    expectAllClose(dice([[0, 0, 0]], [[0, 0, 0]]), 1);
    expectAllClose(dice([[0, 0]], [[1, 1]], { axis: -1 }), [1]);
  });
});

describe('Tversky', () => {
  it('matches the float64 reference for several alpha/beta and axes', () => {
    const t = flat(YT);
    const p = flat(YP);
    for (const [a, b] of [
      [0.5, 0.5],
      [0.3, 0.7],
      [1, 0],
    ] as const) {
      expectAllClose(tversky(YT, YP, { alpha: a, beta: b, axis: [1, 2, 3] }), t.map((r, i) => refTversky(r, p[i]!, a, b)), { rtol: 1e-6 });
      expectAllClose(tversky(YT, YP, { alpha: a, beta: b }), refTversky(t.flat(), p.flat(), a, b), { rtol: 1e-6 });
    }
  });

  it('alpha = beta = 0.5 is the Dice loss', () => {
    expectAllClose(tversky(YT, YP, { axis: [1, 2, 3] }), dice(YT, YP, { axis: [1, 2, 3] }), { rtol: 1e-6 });
    expectAllClose(new Tversky().apply(YT, YP), new Dice().apply(YT, YP), { rtol: 1e-6 });
  });
});

describe('segmentation losses: errors, config, identifiers, leaks', () => {
  it('mismatched shapes and bad axes name the loss', () => {
    expect(() => dice([[1, 0, 1]], [[1, 0]])).toThrow(/dice: y_true and y_pred have incompatible shapes.*\[1, 3\].*\[1, 2\]/);
    expect(() => tversky([[1, 0, 1]], [[1, 0]])).toThrow(/tversky: .*\[1, 3\].*\[1, 2\]/);
    expect(() => dice([[1, 0]], [[1, 0]], { axis: 2 })).toThrow(/dice: `axis` must be null or integers in \[-2, 2\)/);
  });

  it('config: Keras keys and defaults, round trip', () => {
    expect(new Dice().getConfig()).toEqual({ name: 'dice', reduction: 'sum_over_batch_size', axis: null });
    expect(new Tversky().getConfig()).toEqual({ name: 'tversky', reduction: 'sum_over_batch_size', alpha: 0.5, beta: 0.5, axis: null });
    const d = new Dice({ axis: [1, 2], reduction: 'sum' });
    expect(Dice.fromConfig(JSON.parse(JSON.stringify(d.getConfig()))).getConfig()).toEqual(d.getConfig());
    const t = new Tversky({ alpha: 0.2, beta: 0.8, axis: -1, name: 'tv' });
    const back = Tversky.fromConfig(t.getConfig());
    expect(back.getConfig()).toEqual(t.getConfig());
    expect(back.alpha).toBe(0.2);
    expect(get('dice')).toBeInstanceOf(Dice);
    expect(get('Dice')).toBeInstanceOf(Dice);
    expect(get('tversky')).toBeInstanceOf(Tversky);
    expect(get('Tversky')).toBeInstanceOf(Tversky);
  });

  it('leaks nothing', () => {
    const yt = tensor(YT);
    const yp = tensor(YP);
    const before = memory().numTensors;
    dice(yt, yp).dispose();
    tversky(yt, yp, { axis: [1, 2, 3] }).dispose();
    new Dice({ axis: [1, 2, 3] }).apply(yt, yp, [1, 2]).dispose();
    new Tversky().apply(yt, yp).dispose();
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
  });
});
