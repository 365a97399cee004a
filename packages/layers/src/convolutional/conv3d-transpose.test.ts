import { ShapeError, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Conv3DTranspose } from './conv3d-transpose';
import { refConvTranspose, values } from './conv-reference';

describe('Conv3DTranspose', () => {
  it('matches a float64 scatter reference (valid/same, mixed strides, output_padding)', () => {
    const cases = [
      { opts: { filters: 2, kernelSize: [2, 3, 2], strides: [2, 1, 3] }, xShape: [1, 2, 3, 2, 2], ref: { strides: [2, 1, 3] } },
      { opts: { filters: 1, kernelSize: 3, strides: 2, padding: 'same' as const, outputPadding: [1, 0, 1] }, xShape: [2, 2, 2, 3, 1], ref: { strides: [2, 2, 2], padding: 'same' as const, outputPadding: [1, 0, 1] } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new Conv3DTranspose({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 90 + i);
      tidy(() => {
        const y = layer.apply(x);
        const r = refConvTranspose(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
    expect(new Conv3DTranspose(3, 2, { strides: 2, dataFormat: 'channels_first' }).apply(Input({ shape: [4, 2, null, 3] })).shape).toEqual([null, 3, 4, null, 6]);
  });

  it('gradients match finite differences; config round trip; bad input; no leak', async () => {
    const x = randomTensor([1, 2, 2, 2, 1], 21);
    const layer = new Conv3DTranspose(1, 2, 2, 'same', { activation: 'tanh', biasInitializer: 'random_normal', name: 'ct3_probe' });
    tidy(() => layer.apply(x));
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => tidy(() => layer.apply(randomTensor([1, 2, 2, 2, 3])))).toThrow(/ct3_probe.*\(None, None, None, None, 1\).*\(1, 2, 2, 2, 3\)/);
    expect(() => tidy(() => layer.apply(randomTensor([2, 2, 2, 1])))).toThrow(ShapeError);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
