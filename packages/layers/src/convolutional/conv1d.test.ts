import { KerasTensor, ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Conv1D } from './conv1d';
import { refConv, values } from './conv-reference';

const KERAS_KEYS = [
  'name', 'trainable', 'dtype', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups',
  'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
  'activity_regularizer', 'kernel_constraint', 'bias_constraint',
];

describe('Conv1D', () => {
  it('valid/same/causal padding, strides, dilation and groups match a float64 loop reference', () => {
    const cases = [
      { opts: { filters: 3, kernelSize: 3, strides: 2, padding: 'same' as const }, xShape: [2, 7, 2], ref: { strides: [2], padding: 'same' as const } },
      { opts: { filters: 2, kernelSize: 2, dilationRate: 3, padding: 'causal' as const }, xShape: [1, 6, 3], ref: { dilation: [3], padding: 'causal' as const } },
      { opts: { filters: 4, kernelSize: 3, groups: 2 }, xShape: [2, 5, 4], ref: { groups: 2 } },
      { opts: { filters: 2, kernelSize: 3, padding: 'causal' as const, strides: 2 }, xShape: [1, 6, 1], ref: { strides: [2], padding: 'causal' as const } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new Conv1D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 30 + i);
      tidy(() => {
        const y = layer.apply(x);
        const r = refConv(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('causal output at step t depends only on steps <= t; channels_first matches channels_last', () => {
    const layer = new Conv1D(1, 3, { padding: 'causal', dilationRate: 2 });
    tidy(() => {
      const x = randomTensor([1, 8, 1], 2);
      const y1 = values(layer.apply(x));
      const changed = ops.concatenate([ops.slice(x, [0, 0, 0], [1, 5, 1]), ops.ones([1, 3, 1])], 1);
      const y2 = values(layer.apply(changed));
      expect(y2.slice(0, 5)).toEqual(y1.slice(0, 5));
      const cl = new Conv1D(3, 2, { strides: 2, padding: 'same' });
      const cf = new Conv1D(3, 2, { strides: 2, padding: 'same', dataFormat: 'channels_first' });
      const xs = randomTensor([2, 5, 2], 4);
      const xcf = ops.transpose(xs, [0, 2, 1]);
      cl.apply(xs);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expect(cf.computeOutputShape([null, 2, 5])).toEqual([null, 3, 3]);
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(xs), [0, 2, 1]), { atol: 1e-6 });
    });
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const x = randomTensor([1, 5, 2], 21);
    const a = new Conv1D(2, 2, { padding: 'causal', dilationRate: 2, activation: 'tanh', biasInitializer: 'random_normal' });
    const b = new Conv1D(2, 3, { strides: 2, padding: 'same', groups: 2, activation: 'tanh' });
    for (const layer of [a, b]) {
      tidy(() => layer.apply(x));
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    }
    x.dispose();
  });

  it('config has the Keras keys and round-trips', () => {
    const layer = new Conv1D(4, 3, 1, 'causal', { groups: 2, dilationRate: 2, kernelRegularizer: 'l2', name: 'c1' });
    const config = layer.getConfig();
    expect(Object.keys(config)).toEqual(KERAS_KEYS);
    expect([config.kernel_size, config.strides, config.padding, config.dilation_rate, config.groups]).toEqual([[3], [1], 'causal', [2], 2]);
    const x = randomTensor([2, 6, 4]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    x.dispose();
  });

  it('rejects bad arguments, a wrong rank or channel count with the layer name and both shapes', () => {
    expect(() => new Conv1D(5, 3, { groups: 2 })).toThrow(/divisible/);
    expect(() => new Conv1D(0, 3)).toThrow(/filters/);
    expect(() => new Conv1D(2, 3, { padding: 'full' as never })).toThrow(/padding/);
    const layer = new Conv1D(2, 3, { name: 'c1_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([6, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([6, 1])))).toThrow(/c1_probe.*\(6, 1\)/);
    tidy(() => layer.apply(randomTensor([1, 6, 2])));
    expect(() => tidy(() => layer.apply(randomTensor([1, 6, 3])))).toThrow(/c1_probe.*\(None, None, 2\).*\(1, 6, 3\)/);
  });

  it('symbolic call gives the output shape; no tensor leak', async () => {
    expect(new Conv1D(4, 3).apply(Input({ shape: [10, 2] })).shape).toEqual([null, 8, 4]);
    expect(new Conv1D(4, 3, { padding: 'causal' }).apply(Input({ shape: [null, 2] }))).toBeInstanceOf(KerasTensor);
    const layer = new Conv1D(2, 2, { groups: 2, padding: 'causal', dataFormat: 'channels_first' });
    const x = randomTensor([2, 4, 5]);
    tidy(() => layer.apply(x));
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
