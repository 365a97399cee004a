import { ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { refDepthwise, values } from './conv-reference';
import { DepthwiseConv1D } from './depthwise-conv1d';

const KERAS_KEYS = [
  'name', 'trainable', 'dtype', 'depth_multiplier', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate',
  'activation', 'use_bias', 'depthwise_initializer', 'bias_initializer', 'depthwise_regularizer', 'bias_regularizer',
  'activity_regularizer', 'depthwise_constraint', 'bias_constraint',
];

describe('DepthwiseConv1D', () => {
  it('matches a float64 loop reference (strides, same padding, dilation, depth_multiplier)', () => {
    const cases = [
      { opts: { kernelSize: 3, strides: 2, padding: 'same' as const, depthMultiplier: 2 }, xShape: [2, 7, 2], ref: { strides: [2], padding: 'same' as const } },
      { opts: { kernelSize: 2, dilationRate: 3 }, xShape: [1, 8, 3], ref: { dilation: [3] } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new DepthwiseConv1D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 50 + i);
      tidy(() => {
        const y = layer.apply(x);
        expect(layer.kernel!.shape).toEqual([opts.kernelSize, xShape[2], opts.depthMultiplier ?? 1]);
        const r = refDepthwise(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('channels_first equals channels_last; symbolic shape', () => {
    const cl = new DepthwiseConv1D(2, { depthMultiplier: 2 });
    const cf = new DepthwiseConv1D(2, { depthMultiplier: 2, dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 5, 3], 3);
      const xcf = ops.transpose(x, [0, 2, 1]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(x), [0, 2, 1]), { atol: 1e-6 });
    });
    expect(new DepthwiseConv1D(3, { depthMultiplier: 2 }).apply(Input({ shape: [null, 4] })).shape).toEqual([null, null, 8]);
  });

  it('gradients match finite differences; Keras config keys; round trip; bad input; no leak', async () => {
    const x = randomTensor([1, 6, 2], 21);
    const layer = new DepthwiseConv1D(2, 1, 'same', { dilationRate: 2, depthMultiplier: 2, activation: 'tanh', biasInitializer: 'random_normal', name: 'dw1_probe' });
    tidy(() => layer.apply(x));
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    expect(Object.keys(layer.getConfig())).toEqual(KERAS_KEYS);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => tidy(() => layer.apply(randomTensor([1, 6, 3])))).toThrow(/dw1_probe.*\(None, None, 2\).*\(1, 6, 3\)/);
    expect(() => tidy(() => layer.apply(randomTensor([1, 6, 2, 1])))).toThrow(ShapeError);
    expect(() => new DepthwiseConv1D(3, { padding: 'causal' })).toThrow(/padding/);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
