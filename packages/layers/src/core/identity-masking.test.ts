import { KerasTensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { getMask } from '../layer';
import { cloneWithWeights, projectedSum, randomTensor } from '../testing/layer-checks';
import { Identity } from './identity';
import { Input } from './input-layer';
import { Masking } from './masking';

describe('Identity', () => {
  it('passes tensors and masks through; config, shapes, gradient, no leak', async () => {
    const layer = new Identity({ name: 'id' });
    const x = randomTensor([2, 3]);
    tidy(() => {
      const mask = tensor([1, 0], [2], 'bool');
      const y = layer.apply(x, { mask });
      expect(y).toBe(x);
      expect(getMask(y)).toBe(mask);
    });
    expect(layer.computeOutputShape([null, 3])).toEqual([null, 3]);
    expect(layer.apply(Input({ shape: [5, 2] })).shape).toEqual([null, 5, 2]);
    expect(Object.keys(layer.getConfig()).sort()).toEqual(['dtype', 'name', 'trainable']);
    expect(cloneWithWeights(layer, x).getConfig()).toMatchObject({ trainable: true });
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x])).toBeLessThan(1e-2);
    expect(await tensorLeak(() => layer.apply(x))).toBe(0);
    x.dispose();
  });
});

describe('Masking', () => {
  it('zeroes masked timesteps and computes the mask (hand-computed)', () => {
    tidy(() => {
      const x = tensor([1, 2, 0, 0, 0, 3, -1, -1, 5, 6, 0, 0], [2, 3, 2]);
      const y = new Masking().apply(x);
      expectAllClose(y, [
        [[1, 2], [0, 0], [0, 3]],
        [[-1, -1], [5, 6], [0, 0]],
      ]);
      expect(Array.from(getMask(y)!.dataSync())).toEqual([1, 0, 1, 1, 1, 0]);
      const z = new Masking(-1).apply(x);
      expectAllClose(z, [
        [[1, 2], [0, 0], [0, 3]],
        [[0, 0], [5, 6], [0, 0]],
      ]);
      expect(Array.from(getMask(z)!.dataSync())).toEqual([1, 1, 1, 0, 1, 1]);
    });
  });

  it('config round trip, symbolic shape, gradient, no leak', async () => {
    const layer = new Masking({ maskValue: 0.5, name: 'mask_probe' });
    expect(layer.getConfig()).toMatchObject({ name: 'mask_probe', mask_value: 0.5, trainable: true });
    expect(Object.keys(layer.getConfig()).sort()).toEqual(['dtype', 'mask_value', 'name', 'trainable']);
    const x = randomTensor([2, 4, 3]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
    expect(layer.apply(Input({ shape: [4, 3] }))).toBeInstanceOf(KerasTensor);
    expect(layer.computeOutputShape([null, 4, 3])).toEqual([null, 4, 3]);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x])).toBeLessThan(1e-2);
    expect(await tensorLeak(() => tidy(() => void layer.apply(x)))).toBe(0);
    x.dispose();
  });
});
