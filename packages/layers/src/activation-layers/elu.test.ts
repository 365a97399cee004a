import { tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { projectedSum, randomTensor } from '../testing/layer-checks';
import { ELU } from './elu';

describe('ELU', () => {
  it('alpha * (exp(x) - 1) below zero, x above (hand-computed)', () => {
    const x = tensor([-2, -0.5, 0, 1.5]);
    tidy(() => {
      expectAllClose(new ELU().apply(x), [Math.expm1(-2), Math.expm1(-0.5), 0, 1.5], { atol: 1e-6 });
      expectAllClose(new ELU(0.5).apply(x), [0.5 * Math.expm1(-2), 0.5 * Math.expm1(-0.5), 0, 1.5], { atol: 1e-6 });
    });
    x.dispose();
  });

  it('gradient, config round trip, shapes and leaks', async () => {
    const layer = new ELU({ alpha: 0.7 });
    expect(ELU.fromConfig(layer.getConfig()).alpha).toBe(0.7);
    expect(new ELU().alpha).toBe(1);
    const x = randomTensor([2, 3], 4, -2, 2);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
    tidy(() => {
      expect(layer.apply(x).shape).toEqual(layer.computeOutputShape([2, 3]));
    });
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
