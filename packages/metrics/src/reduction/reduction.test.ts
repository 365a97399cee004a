import { type Tensor, ops, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { Mean } from './mean';
import { MeanMetricWrapper } from './mean-metric-wrapper';
import { Sum } from './sum';

describe('Sum', () => {
  it('sums values, weighted (Keras: 16 and 4)', () => {
    const m = new Sum();
    m.updateState([1, 3, 5, 7]);
    expectResult(m, 16);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectResult(m, 4);
    m.updateState([[1, 2], [3, 4]]); // sums every element
    expectResult(m, 14);
    expect(m.variables.map((v) => v.path)).toEqual(['sum/total']);
    expect(m.getConfig()).toEqual({ name: 'sum', dtype: 'float32' });
    m.dispose();
  });
});

describe('Mean', () => {
  it('averages values, weighted (Keras: 4 and 2)', () => {
    const m = new Mean();
    m.updateState([1, 3, 5, 7]);
    expectResult(m, 4);
    m.resetState();
    expectResult(m, 0);
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectResult(m, 2);
    m.dispose();
  });

  it('accumulates over several updates and scalars', () => {
    const m = new Mean('loss');
    m.updateState(2);
    m.updateState([4, 6]);
    m.updateState(tensor([8]), [3]);
    // (2 + 4 + 6 + 3*8) / (1 + 2 + 3)
    expectResult(m, 36 / 6);
    expect(m.name).toBe('loss');
    expect(m.variables.map((v) => v.path)).toEqual(['loss/total', 'loss/count']);
    m.dispose();
  });

  it('averages each sample first; 2-D weights are averaged per sample', () => {
    const m = new Mean();
    m.updateState([[1, 3], [5, 7]]); // per sample 2, 6
    expectResult(m, 4);
    m.resetState();
    m.updateState([[1, 3], [5, 7]], [[1, 0], [1, 1]]);
    // values*w = [[1,0],[5,7]] -> per sample 0.5, 6; weights per sample 0.5, 1
    expectResult(m, 6.5 / 1.5);
    m.resetState();
    m.updateState([[1, 3], [5, 7]], [1, 0]); // weight per sample
    expectResult(m, 2);
    m.dispose();
  });

  it('updateState leaks nothing and reads nothing back; result() is a new scalar', () => {
    const m = new Mean();
    const v = tensor([1, 2, 3]);
    const w = tensor([1, 0, 1]);
    expectNoLeakNoRead(() => {
      m.updateState(v, w);
      m.updateState(v);
      m.resetState();
      m.updateState(v, w);
    });
    const r1 = m.result();
    const r2 = m.result();
    expect(r1).not.toBe(r2);
    r1.dispose();
    r2.dispose();
    expectResult(m, 2);
    // The check itself notices a read-back and a leak.
    expect(() => expectNoLeakNoRead(() => void v.dataSync())).toThrow();
    let leaked: Tensor | null = null;
    expect(() => expectNoLeakNoRead(() => void (leaked = ops.add(v, 1)))).toThrow();
    leaked!.dispose();
    v.dispose();
    w.dispose();
    m.dispose();
  });
});

describe('MeanMetricWrapper', () => {
  it('averages a function of (yTrue, yPred)', () => {
    const absDiff = (yTrue: Tensor, yPred: Tensor) => ops.abs(ops.subtract(yTrue, yPred));
    const m = new MeanMetricWrapper(absDiff);
    expect(m.name).toBe('abs_diff');
    m.updateState([1, 2, 3], [1, 1, 1]); // 0, 1, 2
    expectResult(m, 1);
    m.updateState([0], [4], [2]); // 4 with weight 2
    expectResult(m, (0 + 1 + 2 + 8) / 5);
    m.dispose();
  });

  it('passes fnOptions and reports them in the config', () => {
    const scaled = (yTrue: Tensor, yPred: Tensor, o?: { scale: number }) => ops.multiply(ops.subtract(yPred, yTrue), o!.scale);
    const m = new MeanMetricWrapper(scaled, { name: 'scaled', fnOptions: { scale: 10 } });
    m.updateState([0, 0], [1, 2]);
    expectResult(m, 15);
    expect(m.getConfig()).toEqual({ name: 'scaled', dtype: 'float32', fn: 'scaled', scale: 10 });
    m.dispose();
  });
});
