import { ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Conv3D } from './conv3d';
import { refConv, values } from './conv-reference';

const KERAS_KEYS = [
  'name', 'trainable', 'dtype', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups',
  'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
  'activity_regularizer', 'kernel_constraint', 'bias_constraint',
];

describe('Conv3D', () => {
  it('matches a float64 loop reference (strides, same/valid, dilation, groups)', () => {
    const cases = [
      { opts: { filters: 2, kernelSize: [2, 3, 2], strides: [2, 1, 2], padding: 'same' as const }, xShape: [2, 5, 4, 5, 2], ref: { strides: [2, 1, 2], padding: 'same' as const } },
      { opts: { filters: 2, kernelSize: 2, dilationRate: [2, 1, 1] }, xShape: [1, 5, 3, 3, 1], ref: { dilation: [2, 1, 1] } },
      { opts: { filters: 4, kernelSize: 2, groups: 2, padding: 'same' as const }, xShape: [1, 3, 3, 2, 4], ref: { groups: 2, padding: 'same' as const } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new Conv3D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 70 + i);
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

  it('channels_first equals channels_last; symbolic shape', () => {
    const cl = new Conv3D(2, 2, { strides: 2, padding: 'same' });
    const cf = new Conv3D(2, 2, { strides: 2, padding: 'same', dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([1, 3, 4, 3, 2], 3);
      const xcf = ops.transpose(x, [0, 4, 1, 2, 3]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expect(cf.computeOutputShape([null, 2, 3, 4, 3])).toEqual([null, 2, 2, 2, 2]);
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(x), [0, 4, 1, 2, 3]), { atol: 1e-6 });
    });
    expect(new Conv3D(4, 3).apply(Input({ shape: [5, null, 6, 2] })).shape).toEqual([null, 3, null, 4, 4]);
  });

  it('gradients match finite differences; Keras config keys; round trip; bad input; no leak', async () => {
    const x = randomTensor([1, 3, 3, 2, 2], 21);
    const layer = new Conv3D(2, 2, { strides: [2, 1, 1], padding: 'same', activation: 'tanh', biasInitializer: 'random_normal', name: 'c3_probe' });
    tidy(() => layer.apply(x));
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    expect(Object.keys(layer.getConfig())).toEqual(KERAS_KEYS);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => tidy(() => layer.apply(randomTensor([1, 3, 3, 2, 3])))).toThrow(/c3_probe.*\(None, None, None, None, 2\).*\(1, 3, 3, 2, 3\)/);
    expect(() => tidy(() => layer.apply(randomTensor([3, 3, 2, 2])))).toThrow(ShapeError);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
