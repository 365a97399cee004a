import { tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { KLDivergence } from './kl-divergence';
import { Poisson } from './poisson';

const EPS = 1e-7;
const YT = [
  [0, 1],
  [0, 0],
];
const YP = [
  [0.6, 0.4],
  [0.4, 0.6],
];
const clip = (x: number) => Math.min(Math.max(x, EPS), 1);
const weightedMean = (v: number[], w: number[]) => v.reduce((a, x, i) => a + x * w[i]!, 0) / w.reduce((a, b) => a + b, 0);

describe('KLDivergence metric', () => {
  it('Keras docstring numbers: 0.45814306, weighted 0.9162892', () => {
    const m = new KLDivergence();
    m.updateState(YT, YP);
    expectResult(m, 0.45814306);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 0.9162892);
    expect(m.getConfig()).toEqual({ name: 'kl_divergence', dtype: 'float32' });
    expect(m.direction).toBe('down');
    m.dispose();
  });

  it('accumulates against a float64 reference; zero predictions stay finite', () => {
    const t = [
      [0.2, 0.8],
      [0.5, 0.5],
      [1, 0],
    ];
    const p = [
      [0.5, 0.5],
      [0.9, 0.1],
      [0, 1],
    ];
    const rows = t.map((r, i) => r.reduce((a, v, j) => a + clip(v) * Math.log(clip(v) / clip(p[i]![j]!)), 0));
    const m = new KLDivergence();
    m.updateState(t.slice(0, 1), p.slice(0, 1), [2]);
    m.updateState(t.slice(1), p.slice(1), [1, 3]);
    expectResult(m, weightedMean(rows, [2, 1, 3]), { atol: 1e-5, rtol: 1e-5 });
    m.dispose();
  });
});

describe('Poisson metric', () => {
  it('Keras docstring numbers: 0.49999997, weighted 0.99999994', () => {
    // Keras' Poisson docstring predicts [[1, 1], [0, 0]]
    const yp = [
      [1, 1],
      [0, 0],
    ];
    const m = new Poisson();
    m.updateState(YT, yp);
    expectResult(m, 0.49999997);
    m.resetState();
    m.updateState(YT, yp, [1, 0]);
    expectResult(m, 0.99999994);
    expect(m.getConfig()).toEqual({ name: 'poisson', dtype: 'float32' });
    m.dispose();
  });

  it('matches a float64 reference with counts', () => {
    const t = [
      [3, 0, 1],
      [0, 2, 5],
    ];
    const p = [
      [2.5, 0.1, 1],
      [0.5, 2, 4],
    ];
    const rows = t.map((r, i) => r.reduce((a, v, j) => a + p[i]![j]! - v * Math.log(p[i]![j]! + EPS), 0) / r.length);
    const m = new Poisson();
    m.updateState(t, p, [0.25, 1]);
    expectResult(m, weightedMean(rows, [0.25, 1]));
    m.dispose();
  });
});

describe('KLDivergence / Poisson metrics: identifiers, round trips, no leaks or reads', () => {
  it('get() and fromConfig', () => {
    for (const [id, cls] of [
      ['kl_divergence', KLDivergence],
      ['KLDivergence', KLDivergence],
      ['poisson', Poisson],
      ['Poisson', Poisson],
    ] as const) {
      const m = get(id);
      expect(m, id).toBeInstanceOf(cls);
      const back = cls.fromConfig({ name: 'x', dtype: 'float32' });
      expect(back.getConfig()).toEqual({ name: 'x', dtype: 'float32' });
      m.dispose();
      back.dispose();
    }
  });

  it('updateState leaks nothing and reads nothing back; mismatched shapes are named', () => {
    const ms = [new KLDivergence(), new Poisson()];
    const yt = tensor(YT);
    const yp = tensor(YP);
    expectNoLeakNoRead(() => {
      for (const m of ms) m.updateState(yt, yp, [1, 2]);
    });
    expect(() => ms[0]!.updateState([[1, 0, 0]], [[1, 0]])).toThrow(/kl_divergence: .*\[1, 3\].*\[1, 2\]/);
    expect(() => ms[1]!.updateState([[1, 0, 0]], [[1, 0]])).toThrow(/poisson: .*\[1, 3\].*\[1, 2\]/);
    for (const m of ms) m.dispose();
    yt.dispose();
    yp.dispose();
  });
});
