import { KerasTensor, ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { refConv, refDepthwise, values } from './conv-reference';
import { SeparableConv2D } from './separable-conv2d';

const KERAS_KEYS = [
  'name', 'trainable', 'dtype', 'depth_multiplier', 'filters', 'kernel_size', 'strides', 'padding', 'data_format',
  'dilation_rate', 'activation', 'use_bias', 'depthwise_initializer', 'pointwise_initializer', 'bias_initializer',
  'depthwise_regularizer', 'pointwise_regularizer', 'bias_regularizer', 'activity_regularizer', 'depthwise_constraint',
  'pointwise_constraint', 'bias_constraint',
];

describe('SeparableConv2D', () => {
  it('equals a float64 depthwise then pointwise loop reference', () => {
    const cases = [
      { opts: { filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same' as const, depthMultiplier: 2 }, xShape: [2, 5, 6, 2], ref: { strides: [2, 2], padding: 'same' as const } },
      { opts: { filters: 2, kernelSize: 2, dilationRate: 2 }, xShape: [1, 5, 5, 3], ref: { dilation: [2, 2] } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new SeparableConv2D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 40 + i);
      tidy(() => {
        const y = layer.apply(x);
        expect(layer.weights.map((w) => w.name)).toEqual(['depthwise_kernel', 'pointwise_kernel', 'bias']);
        const dk = layer.depthwiseKernel!;
        const pk = layer.pointwiseKernel!;
        expect(pk.shape).toEqual([1, 1, xShape[3]! * (opts.depthMultiplier ?? 1), opts.filters]);
        const h = refDepthwise(values(x), xShape, values(dk.value), dk.shape, null, ref);
        const r = refConv(h.data, h.shape, values(pk.value), pk.shape, values(layer.bias!.value));
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('channels_first equals channels_last on transposed inputs', () => {
    const cl = new SeparableConv2D(3, 2, { padding: 'same', strides: 2 });
    const cf = new SeparableConv2D(3, 2, { padding: 'same', strides: 2, dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 5, 4, 2], 3);
      const xcf = ops.transpose(x, [0, 3, 1, 2]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expect(cf.computeOutputShape([null, 2, 5, 4])).toEqual([null, 3, 3, 2]);
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(x), [0, 3, 1, 2]), { atol: 1e-6 });
    });
  });

  it('gradients w.r.t. inputs and all weights match finite differences', () => {
    const x = randomTensor([1, 4, 4, 2], 21);
    const layer = new SeparableConv2D(2, 2, { strides: 2, padding: 'same', depthMultiplier: 2, activation: 'tanh', biasInitializer: 'random_normal' });
    tidy(() => layer.apply(x));
    expect(layer.trainableWeights.length).toBe(3);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    x.dispose();
  });

  it('config has the Keras keys and round-trips', () => {
    const layer = new SeparableConv2D(4, 3, 1, 'same', { depthMultiplier: 2, pointwiseRegularizer: 'l2', depthwiseConstraint: 'non_neg' });
    const config = layer.getConfig();
    expect(Object.keys(config)).toEqual(KERAS_KEYS);
    const x = randomTensor([2, 5, 5, 2]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    x.dispose();
  });

  it('rejects a wrong rank or channel count with the layer name and both shapes; no tensor leak', async () => {
    expect(() => new SeparableConv2D(0, 3)).toThrow(/filters/);
    const layer = new SeparableConv2D(2, 3, { name: 'sep_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([6, 6, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([6, 6, 1])))).toThrow(/sep_probe.*\(6, 6, 1\)/);
    const x = randomTensor([1, 6, 6, 2]);
    tidy(() => layer.apply(x));
    expect(() => tidy(() => layer.apply(randomTensor([1, 6, 6, 3])))).toThrow(/sep_probe.*\(None, None, None, 2\).*\(1, 6, 6, 3\)/);
    expect(new SeparableConv2D(4, 3).apply(Input({ shape: [7, 7, 2] }))).toBeInstanceOf(KerasTensor);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
