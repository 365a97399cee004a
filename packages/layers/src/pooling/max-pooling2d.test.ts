import { type Config, KerasTensor, ShapeError, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import { MaxPooling2D } from './max-pooling2d';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

// A 1 x 5 x 5 x 1 image with values 0..24.
const img = () => tensor(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);

describe('MaxPooling2D', () => {
  it('matches the Keras cnn fixture (MaxPooling2D(2): (3, 10, 10, 8) -> (3, 5, 5, 8))', () => {
    tidy(() => expectAllClose(new MaxPooling2D(2).apply(fixtureLayerOutput('cnn', 'conv')), fixtureLayerOutput('cnn', 'pool'), { atol: 0 }));
  });

  it('valid floors, same ceils with padding at the bottom/right (hand-computed)', () => {
    tidy(() => {
      const valid = new MaxPooling2D().apply(img());
      expect(valid.shape).toEqual([1, 2, 2, 1]);
      expectAllClose(valid, [[[[6], [8]], [[16], [18]]]]);
      const same = new MaxPooling2D({ poolSize: 2, padding: 'same' }).apply(img());
      expect(same.shape).toEqual([1, 3, 3, 1]);
      expectAllClose(same, [[[[6], [8], [9]], [[16], [18], [19]], [[21], [23], [24]]]]);
      const strided = new MaxPooling2D([3, 2], [1, 2]).apply(img());
      expect(strided.shape).toEqual([1, 3, 2, 1]);
      expectAllClose(strided, [[[[11], [13]], [[16], [18]], [[21], [23]]]]);
    });
  });

  it('channels_first equals channels_last on transposed inputs', () => {
    tidy(() => {
      const x = randomTensor([2, 5, 4, 3], 8);
      const y = new MaxPooling2D({ poolSize: 2, padding: 'same', dataFormat: 'channels_first' }).apply(ops.transpose(x, [0, 3, 1, 2]));
      expect(y.shape).toEqual([2, 3, 3, 2]);
      expectAllClose(y, ops.transpose(new MaxPooling2D(2, null, 'same').apply(x), [0, 3, 1, 2]), { atol: 0 });
      expect(new MaxPooling2D({ dataFormat: 'channels_first' }).computeOutputShape([null, 3, 5, 4])).toEqual([null, 3, 2, 2]);
    });
  });

  it('gradient matches finite differences (distinct values, no ties)', () => {
    const layer = new MaxPooling2D(2, 1);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [randomTensor([1, 3, 3, 2], 6)], 1e-3)).toBeLessThan(1e-2);
  });

  it('config matches Keras key for key and round-trips', () => {
    expect(new MaxPooling2D({ name: 'pool' }).getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('cnn', 'pool')));
    expect(Object.keys(new MaxPooling2D().getConfig()).sort()).toEqual(Object.keys(withoutSharedIds(fixtureLayerConfig('cnn', 'pool'))).sort());
    const layer = new MaxPooling2D([3, 2], [2, 1], 'same');
    const x = randomTensor([1, 5, 5, 2]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
  });

  it('rejects a wrong rank with the layer name and both shapes', () => {
    const layer = new MaxPooling2D({ name: 'pool_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([4, 4, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([4, 4, 1])))).toThrow(/pool_probe.*\(None, None, None, None\).*\(4, 4, 1\)/);
    expect(() => layer.apply(Input({ shape: [4, 4] }))).toThrow(/pool_probe.*\(None, 4, 4\)/);
    expect(() => tidy(() => new MaxPooling2D(3, { name: 'big_pool' }).apply(randomTensor([1, 2, 2, 1])))).toThrow(/big_pool.*negative/);
  });

  it('symbolic call gives a KerasTensor of the output shape; no tensor leak', async () => {
    const y = new MaxPooling2D().apply(Input({ shape: [10, 10, 8] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 5, 5, 8]);
    expect(new MaxPooling2D(2, null, 'same').apply(Input({ shape: [7, null, 3] })).shape).toEqual([null, 4, null, 3]);
    const layer = new MaxPooling2D({ dataFormat: 'channels_first' });
    const x = randomTensor([1, 2, 4, 4]);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
