import { ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Conv1DTranspose } from './conv1d-transpose';
import { refConvTranspose, values } from './conv-reference';

describe('Conv1DTranspose', () => {
  it('matches a float64 scatter reference (valid/same, strides, output_padding, dilation)', () => {
    const cases = [
      { opts: { filters: 3, kernelSize: 3, strides: 2 }, xShape: [2, 4, 2], ref: { strides: [2] } },
      { opts: { filters: 2, kernelSize: 4, strides: 3, padding: 'same' as const, outputPadding: 1 }, xShape: [1, 3, 2], ref: { strides: [3], padding: 'same' as const, outputPadding: [1] } },
      { opts: { filters: 2, kernelSize: 2, dilationRate: 3, padding: 'same' as const }, xShape: [1, 5, 1], ref: { dilation: [3], padding: 'same' as const } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new Conv1DTranspose({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 80 + i);
      tidy(() => {
        const y = layer.apply(x);
        const r = refConvTranspose(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('channels_first equals channels_last; symbolic shape', () => {
    const cl = new Conv1DTranspose(3, 3, { strides: 2 });
    const cf = new Conv1DTranspose(3, 3, { strides: 2, dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 4, 2], 3);
      const xcf = ops.transpose(x, [0, 2, 1]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      expectAllClose(cf.apply(xcf), ops.transpose(cl.apply(x), [0, 2, 1]), { atol: 1e-6 });
    });
    expect(new Conv1DTranspose(4, 3, 2).apply(Input({ shape: [5, 2] })).shape).toEqual([null, 11, 4]);
  });

  it('gradients match finite differences; config round trip; bad input; no leak', async () => {
    const x = randomTensor([1, 3, 2], 21);
    const layer = new Conv1DTranspose(2, 3, 2, 'same', { activation: 'tanh', biasInitializer: 'random_normal', name: 'ct1_probe' });
    tidy(() => layer.apply(x));
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    const config = layer.getConfig();
    expect([config.kernel_size, config.strides, config.padding, 'output_padding' in config]).toEqual([[3], [2], 'same', false]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => tidy(() => layer.apply(randomTensor([1, 3, 3])))).toThrow(/ct1_probe.*\(None, None, 2\).*\(1, 3, 3\)/);
    expect(() => tidy(() => layer.apply(randomTensor([3, 2])))).toThrow(ShapeError);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
