import { tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { BinaryCrossentropy } from './probabilistic/binary-crossentropy';
import { CategoricalCrossentropy } from './probabilistic/categorical-crossentropy';
import { SparseCategoricalCrossentropy } from './probabilistic/sparse-categorical-crossentropy';
import { MeanAbsoluteError } from './regression/mean-absolute-error';
import { MeanSquaredError } from './regression/mean-squared-error';
import { RootMeanSquaredError } from './regression/root-mean-squared-error';
import { expectNoLeakNoRead, expectResult } from './test-helpers';

const YT = [
  [0, 1],
  [0, 0],
];
const YP = [
  [1, 1],
  [0, 0],
];

describe('regression metrics (Keras docstring numbers)', () => {
  it('MeanSquaredError: 0.25, weighted 0.5', () => {
    const m = new MeanSquaredError();
    m.updateState(YT, YP);
    expectResult(m, 0.25);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, 0.5);
    expect(m.getConfig()).toEqual({ name: 'mean_squared_error', dtype: 'float32' });
    expect(m.direction).toBe('down');
    m.dispose();
  });

  it('MeanAbsoluteError: 0.25, weighted 0.5, several updates', () => {
    const m = new MeanAbsoluteError();
    m.updateState(YT, YP);
    expectResult(m, 0.25);
    m.updateState([[2, 2]], [[0, 0]]);
    expectResult(m, (0.5 + 0 + 2) / 3);
    m.dispose();
  });

  it('RootMeanSquaredError: 0.5, weighted sqrt(0.5)', () => {
    const m = new RootMeanSquaredError();
    m.updateState(YT, YP);
    expectResult(m, 0.5);
    m.resetState();
    m.updateState(YT, YP, [1, 0]);
    expectResult(m, Math.SQRT1_2);
    m.dispose();
  });
});

describe('crossentropy metrics (Keras docstring numbers)', () => {
  it('BinaryCrossentropy: 0.81492424, weighted 0.9162905', () => {
    const m = new BinaryCrossentropy();
    m.updateState(YT, [[0.6, 0.4], [0.4, 0.6]]);
    expectResult(m, 0.81492424);
    m.resetState();
    m.updateState(YT, [[0.6, 0.4], [0.4, 0.6]], [1, 0]);
    expectResult(m, 0.9162905);
    expect(m.getConfig()).toEqual({ name: 'binary_crossentropy', dtype: 'float32', from_logits: false, label_smoothing: 0 });
    m.dispose();
  });

  it('CategoricalCrossentropy: 1.1769392, weighted 1.6271976', () => {
    const yt = [[0, 1, 0], [0, 0, 1]];
    const yp = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    const m = new CategoricalCrossentropy();
    m.updateState(yt, yp);
    expectResult(m, 1.1769392);
    m.resetState();
    m.updateState(yt, yp, [0.3, 0.7]);
    expectResult(m, 1.6271976);
    expect(m.getConfig()).toEqual({ name: 'categorical_crossentropy', dtype: 'float32', from_logits: false, label_smoothing: 0, axis: -1 });
    m.dispose();
  });

  it('SparseCategoricalCrossentropy: 1.1769392, from logits too', () => {
    const m = new SparseCategoricalCrossentropy();
    m.updateState([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);
    expectResult(m, 1.1769392);
    const logits = new SparseCategoricalCrossentropy({ fromLogits: true });
    logits.updateState([[0]], [[0, 0]]);
    expectResult(logits, Math.LN2);
    expect(logits.getConfig()).toEqual({ name: 'sparse_categorical_crossentropy', dtype: 'float32', from_logits: true, axis: -1 });
    m.dispose();
    logits.dispose();
  });

  it('updateState leaks nothing and reads nothing back', () => {
    const metrics = [new MeanSquaredError(), new MeanAbsoluteError(), new RootMeanSquaredError(), new BinaryCrossentropy()];
    const yt = tensor(YT);
    const yp = tensor([[0.2, 0.7], [0.1, 0.3]]);
    expectNoLeakNoRead(() => {
      for (const m of metrics) m.updateState(yt, yp, [1, 2]);
    });
    for (const m of metrics) m.dispose();
    yt.dispose();
    yp.dispose();
  });
});
