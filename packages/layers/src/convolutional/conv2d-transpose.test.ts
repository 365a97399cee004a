import { KerasTensor, ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Conv2DTranspose } from './conv2d-transpose';
import { refConvTranspose, values } from './conv-reference';

const KERAS_KEYS = [
  'name', 'trainable', 'dtype', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate',
  'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
  'activity_regularizer', 'kernel_constraint', 'bias_constraint',
];

describe('Conv2DTranspose', () => {
  it('matches a float64 scatter reference (valid/same, strides > or < kernel, output_padding, dilation)', () => {
    const cases = [
      { opts: { filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'valid' as const }, xShape: [2, 3, 4, 2], ref: { strides: [2, 1] } },
      { opts: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' as const }, xShape: [1, 3, 3, 3], ref: { strides: [2, 2], padding: 'same' as const } },
      { opts: { filters: 2, kernelSize: 2, strides: 3, padding: 'valid' as const }, xShape: [1, 2, 3, 1], ref: { strides: [3, 3] } },
      { opts: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' as const, outputPadding: [1, 0] }, xShape: [1, 3, 2, 2], ref: { strides: [2, 2], padding: 'same' as const, outputPadding: [1, 0] } },
      { opts: { filters: 2, kernelSize: 3, strides: 3, padding: 'valid' as const, outputPadding: 2 }, xShape: [1, 2, 2, 1], ref: { strides: [3, 3], outputPadding: [2, 2] } },
      { opts: { filters: 1, kernelSize: 2, dilationRate: [2, 1], padding: 'same' as const }, xShape: [1, 4, 3, 2], ref: { dilation: [2, 1], padding: 'same' as const } },
      { opts: { filters: 2, kernelSize: 4, strides: 2, padding: 'same' as const }, xShape: [1, 3, 2, 1], ref: { strides: [2, 2], padding: 'same' as const } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new Conv2DTranspose({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 60 + i);
      tidy(() => {
        const y = layer.apply(x);
        expect(layer.kernel!.shape).toEqual([...layer.kernelSize, opts.filters, xShape[3]]);
        const r = refConvTranspose(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('is the adjoint of the matching forward convolution: <conv_t(x), z> = <x, conv(z)>', () => {
    tidy(() => {
      const layer = new Conv2DTranspose(3, 3, { strides: 2, padding: 'same', useBias: false });
      const x = randomTensor([1, 3, 4, 2], 1);
      const y = layer.apply(x);
      const z = randomTensor(y.shape, 2);
      // Forward conv with the same kernel read as (kh, kw, in=filters, out=channels).
      const back = ops.conv(z, layer.kernel!.value, 2, 'same');
      expectAllClose(ops.sum(ops.multiply(y, z)), ops.sum(ops.multiply(x, back)), { atol: 1e-4 });
    });
  });

  it('channels_first equals channels_last; Keras docstring shape (4, 10, 8, 128) -> (4, 20, 16, 32)', () => {
    const cl = new Conv2DTranspose(3, 2, { strides: 2, padding: 'same' });
    const cf = new Conv2DTranspose(3, 2, { strides: 2, padding: 'same', dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 3, 4, 2], 3);
      const xcf = ops.transpose(x, [0, 3, 1, 2]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expect(cf.computeOutputShape([null, 2, 3, 4])).toEqual([null, 3, 6, 8]);
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(x), [0, 3, 1, 2]), { atol: 1e-6 });
    });
    const y = new Conv2DTranspose(32, 2, 2, undefined, { activation: 'relu' }).apply(Input({ batchShape: [4, 10, 8, 128] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([4, 20, 16, 32]);
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const x = randomTensor([1, 3, 2, 2], 21);
    const a = new Conv2DTranspose(2, 3, { strides: 2, padding: 'same', activation: 'tanh', biasInitializer: 'random_normal' });
    const b = new Conv2DTranspose(1, 2, { dilationRate: 2, activation: 'tanh', outputPadding: 0 });
    for (const layer of [a, b]) {
      tidy(() => layer.apply(x));
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    }
    x.dispose();
  });

  it('config has the Keras keys (output_padding only when set) and round-trips', () => {
    const layer = new Conv2DTranspose(4, 3, 2, 'same', { kernelRegularizer: 'l2' });
    expect(Object.keys(layer.getConfig())).toEqual(KERAS_KEYS);
    const padded = new Conv2DTranspose(4, 3, 2, 'same', { outputPadding: [1, 0] });
    expect(padded.getConfig().output_padding).toEqual([1, 0]);
    const x = randomTensor([2, 3, 3, 2]);
    for (const l of [layer, padded]) {
      const clone = cloneWithWeights(l, x);
      expect(clone.getConfig()).toEqual({ ...l.getConfig(), name: clone.name });
      tidy(() => expectAllClose(clone.apply(x), l.apply(x), { atol: 0 }));
    }
    x.dispose();
  });

  it('rejects bad arguments, a wrong rank or channel count with the layer name and both shapes; no leak', async () => {
    expect(() => new Conv2DTranspose(2, 3, { strides: 2, outputPadding: 2 })).toThrow(/output_padding/);
    expect(() => new Conv2DTranspose(2, 3, { strides: 2, dilationRate: 2 })).toThrow(/dilation_rate/);
    expect(() => new Conv2DTranspose(0, 3)).toThrow(/filters/);
    const layer = new Conv2DTranspose(2, 3, { name: 'ct_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([4, 4, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([4, 4, 1])))).toThrow(/ct_probe.*\(4, 4, 1\)/);
    const x = randomTensor([1, 4, 4, 2]);
    tidy(() => layer.apply(x));
    expect(() => tidy(() => layer.apply(randomTensor([1, 4, 4, 3])))).toThrow(/ct_probe.*\(None, None, None, 2\).*\(1, 4, 4, 3\)/);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
