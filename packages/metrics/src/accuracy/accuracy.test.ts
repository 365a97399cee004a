import { tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { expectNoLeakNoRead, expectResult } from '../test-helpers';
import { Accuracy } from './accuracy';
import { BinaryAccuracy } from './binary-accuracy';
import { CategoricalAccuracy } from './categorical-accuracy';
import { accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy } from './functions';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy';

describe('Accuracy', () => {
  it('exact matches (Keras: 0.75, weighted 0.5)', () => {
    const m = new Accuracy();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]);
    expectResult(m, 0.75);
    m.resetState();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0]);
    expectResult(m, 0.5);
    expectAllClose(accuracy([1, 2], [[1], [3]]), [[1], [0]]);
    expect(m.getConfig()).toEqual({ name: 'accuracy', dtype: 'float32' });
    expect(m.direction).toBe('up');
    m.dispose();
  });
});

describe('BinaryAccuracy', () => {
  it('thresholds at 0.5 (Keras: 0.75, weighted 0.5)', () => {
    const m = new BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expectResult(m, 0.75);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    expectResult(m, 0.5);
    m.dispose();
  });

  it('custom threshold, (N,) labels against (N, 1) outputs, several updates', () => {
    const m = new BinaryAccuracy({ threshold: 0.7 });
    m.updateState([1, 1, 0, 0], [[0.98], [1], [0], [0.6]]);
    expectResult(m, 1);
    m.updateState(tensor([1, 0], undefined, 'int32'), [[0.5], [0.1]]);
    expectResult(m, 5 / 6);
    expect(m.getConfig()).toEqual({ name: 'binary_accuracy', dtype: 'float32', threshold: 0.7 });
    expectAllClose(binaryAccuracy([[1, 0]], [[0.6, 0.6]], { threshold: 0.5 }), [[1, 0]]);
    expect(() => new BinaryAccuracy({ threshold: 1 })).toThrow(/threshold/);
    m.dispose();
  });
});

describe('CategoricalAccuracy', () => {
  it('argmax of one-hot labels (Keras: 0.5, weighted 0.3)', () => {
    const m = new CategoricalAccuracy();
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expectResult(m, 0.5);
    m.resetState();
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3]);
    expectResult(m, 0.3);
    expectAllClose(categoricalAccuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]), [1, 0]);
    m.dispose();
  });

  it('works per time step (rank 3)', () => {
    const m = new CategoricalAccuracy();
    const yt = [[[1, 0], [0, 1]], [[1, 0], [1, 0]]];
    const yp = [[[0.9, 0.1], [0.6, 0.4]], [[0.8, 0.2], [0.7, 0.3]]];
    expectAllClose(categoricalAccuracy(yt, yp), [[1, 0], [1, 1]]);
    m.updateState(yt, yp);
    expectResult(m, 0.75);
    m.dispose();
  });
});

describe('SparseCategoricalAccuracy', () => {
  it('integer labels of shape (N, 1) or (N,) (Keras: 0.5, weighted 0.3)', () => {
    const yp = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]];
    const m = new SparseCategoricalAccuracy();
    m.updateState([[2], [1]], yp);
    expectResult(m, 0.5);
    m.resetState();
    m.updateState([[2], [1]], yp, [0.7, 0.3]);
    expectResult(m, 0.3);
    m.resetState();
    m.updateState(tensor([2, 1], undefined, 'int32'), yp);
    expectResult(m, 0.5);
    m.updateState([1, 1], yp, [[1], [1]]);
    expectResult(m, 0.75);
    expectAllClose(sparseCategoricalAccuracy([[2], [1]], yp), [0, 1]);
    expectAllClose(sparseCategoricalAccuracy([2, 1], yp), [0, 1]);
    m.dispose();
  });
});

describe('memory', () => {
  it('updateState of every accuracy leaks nothing and reads nothing back', () => {
    const metrics = [new Accuracy(), new BinaryAccuracy(), new CategoricalAccuracy(), new SparseCategoricalAccuracy()];
    const yt = tensor([[0, 1], [1, 0]]);
    const yp = tensor([[0.2, 0.8], [0.4, 0.6]]);
    const sparse = tensor([1, 0]);
    const sw = tensor([1, 2]);
    expectNoLeakNoRead(() => {
      for (const m of metrics) m.updateState(m instanceof SparseCategoricalAccuracy ? sparse : yt, yp, sw);
    });
    for (const m of metrics) m.dispose();
    for (const t of [yt, yp, sparse, sw]) t.dispose();
  });
});
