import { type KerasTensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { projectedSum, randomTensor } from '../testing/layer-checks';
import { UnitNormalization } from './unit-normalization';

describe('UnitNormalization', () => {
  it('divides by the L2 norm over the axis (hand-computed)', () => {
    tidy(() => {
      expectAllClose(new UnitNormalization().apply(tensor([[3, 4], [0, 0]])), [[0.6, 0.8], [0, 0]]);
      expectAllClose(new UnitNormalization(0).apply(tensor([[3, 1], [4, 0]])), [[0.6, 1], [0.8, 0]]);
      const y = new UnitNormalization({ axis: [1, 2] }).apply(tensor([[[1, 1], [1, 1]]]));
      expectAllClose(y, [[[0.5, 0.5], [0.5, 0.5]]]);
    });
  });

  it('gradient, config, shapes, errors, leaks', async () => {
    const layer = new UnitNormalization({ name: 'probe_un' });
    const x = randomTensor([2, 3], 2);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(2e-2);
    const config = layer.getConfig();
    expect(Object.keys(config).sort()).toEqual(['axis', 'dtype', 'name', 'trainable']);
    expect(config.axis).toBe(-1);
    const clone = UnitNormalization.fromConfig(JSON.parse(JSON.stringify(config)));
    expect(clone.getConfig()).toEqual(config);
    expect(new UnitNormalization([1, 2]).getConfig().axis).toEqual([1, 2]);
    tidy(() => {
      expect(layer.apply(x).shape).toEqual(layer.computeOutputShape([2, 3]));
    });
    expect((layer.apply(Input({ shape: [5] })) as KerasTensor).shape).toEqual([null, 5]);
    expect(() => tidy(() => new UnitNormalization({ axis: 2, name: 'bad_un' }).apply(x))).toThrow(/bad_un.*axis 2.*\(2, 3\)/);
    expect(() => new UnitNormalization({ axis: 1.5 })).toThrow(/axis/);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
