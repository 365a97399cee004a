import { ShapeError, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { refConv, refDepthwise, values } from './conv-reference';
import { SeparableConv1D } from './separable-conv1d';

describe('SeparableConv1D', () => {
  it('equals a float64 depthwise then pointwise loop reference; output shapes agree', () => {
    const layer = new SeparableConv1D(3, 3, { strides: 2, padding: 'same', depthMultiplier: 2, biasInitializer: 'random_normal' });
    const xShape = [2, 7, 2];
    const x = randomTensor(xShape, 5);
    tidy(() => {
      const y = layer.apply(x);
      const dk = layer.depthwiseKernel!;
      const pk = layer.pointwiseKernel!;
      expect([dk.shape, pk.shape]).toEqual([[3, 2, 2], [1, 4, 3]]);
      const h = refDepthwise(values(x), xShape, values(dk.value), dk.shape, null, { strides: [2], padding: 'same' });
      const r = refConv(h.data, h.shape, values(pk.value), pk.shape, values(layer.bias!.value));
      expect(y.shape).toEqual(r.shape);
      expect(layer.computeOutputShape([null, 7, 2])).toEqual([null, 4, 3]);
      expectAllClose(y, r.data, { atol: 1e-5 });
    });
    expect(new SeparableConv1D(3, 2, { dataFormat: 'channels_first' }).apply(Input({ shape: [2, 9] })).shape).toEqual([null, 3, 8]);
    x.dispose();
  });

  it('gradients match finite differences; config round-trips; bad input names layer and shapes; no leak', async () => {
    const x = randomTensor([1, 5, 2], 21);
    const layer = new SeparableConv1D(2, 2, { dilationRate: 2, padding: 'same', activation: 'tanh', name: 'sep1_probe' });
    tidy(() => layer.apply(x));
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    const config = layer.getConfig();
    expect([config.kernel_size, config.dilation_rate, config.depth_multiplier, config.filters]).toEqual([[2], [2], 1, 2]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => tidy(() => layer.apply(randomTensor([1, 5, 3])))).toThrow(/sep1_probe.*\(None, None, 2\).*\(1, 5, 3\)/);
    expect(() => tidy(() => layer.apply(randomTensor([5, 2])))).toThrow(ShapeError);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
