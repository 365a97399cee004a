import { tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { get } from '../registry';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { CategoricalHinge } from './categorical-hinge';
import { Hinge } from './hinge';
import { SquaredHinge } from './squared-hinge';

const YT = [
  [0, 1],
  [0, 0],
];
const YP = [
  [0.6, 0.4],
  [0.4, 0.6],
];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const weightedMean = (v: number[], w: number[]) => v.reduce((a, x, i) => a + x * w[i]!, 0) / w.reduce((a, b) => a + b, 0);

describe('hinge metrics (Keras docstring numbers)', () => {
  it('Hinge: 1.3, weighted 1.1', () => {
    const m = new Hinge();
    m.updateState(YT, YP);
    expectResult(m, 1.3);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 1.1);
    expect(m.getConfig()).toEqual({ name: 'hinge', dtype: 'float32' });
    expect(m.direction).toBe('down');
    m.dispose();
  });

  it('SquaredHinge: 1.86, weighted 1.46', () => {
    const m = new SquaredHinge();
    m.updateState(YT, YP);
    expectResult(m, 1.86);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 1.46);
    expect(m.getConfig()).toEqual({ name: 'squared_hinge', dtype: 'float32' });
    m.dispose();
  });

  it('CategoricalHinge: 1.4, weighted 1.2', () => {
    const m = new CategoricalHinge();
    m.updateState(YT, YP);
    expectResult(m, 1.4);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 1.2);
    expect(m.getConfig()).toEqual({ name: 'categorical_hinge', dtype: 'float32' });
    m.dispose();
  });
});

describe('hinge metrics against float64 references', () => {
  it('-1/1 labels used as they are; 0/1 labels converted per batch', () => {
    const p = [
      [0.3, -1.2, 2],
      [0.5, 0.9, -0.7],
    ];
    const pm = [
      [1, -1, 1],
      [-1, -1, 1],
    ];
    const hingeRows = pm.map((r, i) => mean(r.map((v, j) => Math.max(1 - v * p[i]![j]!, 0))));
    const sqRows = pm.map((r, i) => mean(r.map((v, j) => Math.max(1 - v * p[i]![j]!, 0) ** 2)));
    const h = new Hinge();
    h.updateState(pm, p, [1, 3]);
    // the same labels as 0/1 give the same values
    h.updateState(pm.map((r) => r.map((v) => (v + 1) / 2)), p, [2, 0]);
    expectResult(h, weightedMean([...hingeRows, ...hingeRows], [1, 3, 2, 0]));
    const s = new SquaredHinge();
    s.updateState(pm, p);
    expectResult(s, mean(sqRows));
    const oneHot = [
      [0, 0, 1],
      [1, 0, 0],
    ];
    const chRows = oneHot.map((r, i) => {
      const pos = r.reduce((a, v, j) => a + v * p[i]![j]!, 0);
      const neg = Math.max(...r.map((v, j) => (1 - v) * p[i]![j]!));
      return Math.max(neg - pos + 1, 0);
    });
    const c = new CategoricalHinge();
    c.updateState(oneHot, p, [0.5, 1.5]);
    expectResult(c, weightedMean(chRows, [0.5, 1.5]));
    for (const m of [h, s, c]) m.dispose();
  });
});

describe('hinge metrics: identifiers, round trips, no leaks or reads', () => {
  it('get() and fromConfig', () => {
    for (const [id, cls] of [
      ['hinge', Hinge],
      ['Hinge', Hinge],
      ['squared_hinge', SquaredHinge],
      ['SquaredHinge', SquaredHinge],
      ['categorical_hinge', CategoricalHinge],
      ['CategoricalHinge', CategoricalHinge],
    ] as const) {
      const m = get(id);
      expect(m, id).toBeInstanceOf(cls);
      const back = cls.fromConfig(m.getConfig());
      expect(back.getConfig()).toEqual(m.getConfig());
      m.dispose();
      back.dispose();
    }
  });

  it('updateState leaks nothing and reads nothing back (label conversion stays on the device)', () => {
    const ms = [new Hinge(), new SquaredHinge(), new CategoricalHinge()];
    const yt = tensor(YT);
    const yp = tensor(YP);
    expectNoLeakNoRead(() => {
      for (const m of ms) m.updateState(yt, yp, [1, 2]);
    });
    expect(() => ms[0]!.updateState([[1, 0, 0]], [[1, 0]])).toThrow(/hinge: .*\[1, 3\].*\[1, 2\]/);
    for (const m of ms) m.dispose();
    yt.dispose();
    yp.dispose();
  });
});
