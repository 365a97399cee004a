import { tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { projectedSum, randomTensor } from '../testing/layer-checks';
import { LeakyReLU } from './leaky-relu';

describe('LeakyReLU', () => {
  it('uses negative_slope 0.3 by default (Keras 3 layer) and accepts alpha (Keras 2 name)', () => {
    const x = tensor([-2, 0, 3]);
    tidy(() => {
      expectAllClose(new LeakyReLU().apply(x), [-0.6, 0, 3]);
      expectAllClose(new LeakyReLU(0.1).apply(x), [-0.2, 0, 3]);
      expectAllClose(new LeakyReLU({ alpha: 0.5 } as never).apply(x), [-1, 0, 3]);
    });
    expect(() => new LeakyReLU(-1)).toThrow(/negative_slope/);
    x.dispose();
  });

  it('gradient, config round trip, shapes and leaks', async () => {
    const layer = new LeakyReLU({ negativeSlope: 0.2, name: 'lr' });
    const config = layer.getConfig();
    expect(Object.keys(config).sort()).toEqual(['dtype', 'name', 'negative_slope', 'trainable']);
    expect(LeakyReLU.fromConfig(config).getConfig()).toEqual(config);
    const x = randomTensor([2, 3], 3, -2, 2);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
    tidy(() => {
      expect(layer.apply(x).shape).toEqual(layer.computeOutputShape([2, 3]));
    });
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
