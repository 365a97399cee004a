import { KerasTensor, ShapeError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor } from '../testing/layer-checks';
import { Reshape } from './reshape';

describe('Reshape', () => {
  it('reshapes the non-batch axes, inferring one -1 (hand-computed)', () => {
    tidy(() => {
      const x = tensor([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
      expectAllClose(new Reshape([3, 2]).apply(x), [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
      const y = new Reshape({ targetShape: [-1, 3] }).apply(x);
      expect(y.shape).toEqual([2, 2, 3]);
      expectAllClose(y, [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]);
    });
  });

  it('gradient matches finite differences', () => {
    const layer = new Reshape([2, -1]);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [randomTensor([2, 6], 4)], 1e-2)).toBeLessThan(1e-3);
  });

  it('config is Keras\' {name, trainable, dtype, target_shape} and round-trips', () => {
    const layer = new Reshape([3, -1], { name: 'reshape' });
    expect(layer.getConfig()).toEqual({
      name: 'reshape',
      trainable: true,
      dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      target_shape: [3, -1],
    });
    const x = randomTensor([2, 6]);
    const clone = cloneWithWeights(layer, x);
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => new Reshape([-1, -1])).toThrow(/at most one/);
    expect(() => new Reshape([0, 2])).toThrow(/target_shape/);
  });

  it('rejects a size mismatch naming the layer and both shapes', () => {
    const layer = new Reshape([5], { name: 'reshape_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([2, 6])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([2, 6])))).toThrow(/reshape_probe.*\(2, 6\).*\(5,\)/);
    expect(() => new Reshape([4, -1], { name: 'r2' }).apply(Input({ shape: [6] }))).toThrow(/r2.*\(None, 6\).*\(4, -1\)/);
  });

  it('symbolic shapes (-1 resolved, unknown dims stay None); no tensor leak', async () => {
    const y = new Reshape([-1, 2]).apply(Input({ shape: [3, 4] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 6, 2]);
    expect(new Reshape([-1, 2]).computeOutputShape([null, null, 4])).toEqual([null, null, 2]);
    const layer = new Reshape([3, 2]);
    const x = randomTensor([2, 6]);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
