import { type Config, KerasTensor, ShapeError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import { Flatten } from './flatten';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

describe('Flatten', () => {
  it('matches the Keras cnn fixture (pool (3, 5, 5, 8) -> flatten (3, 200))', () => {
    tidy(() => expectAllClose(new Flatten().apply(fixtureLayerOutput('cnn', 'pool')), fixtureLayerOutput('cnn', 'flatten'), { atol: 0 }));
  });

  it('flattens row-major; channels_first moves channels last first (hand-computed)', () => {
    tidy(() => {
      const x = tensor([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]); // (1, 2, 2, 2)
      expectAllClose(new Flatten().apply(x), [[1, 2, 3, 4, 5, 6, 7, 8]]);
      // channels_first: x[0, c, h, w] -> order (h, w, c)
      expectAllClose(new Flatten('channels_first').apply(x), [[1, 5, 2, 6, 3, 7, 4, 8]]);
      expectAllClose(new Flatten({ dataFormat: 'channels_first' }).apply(tensor([[1, 2, 3]])), [[1, 2, 3]]);
      expectAllClose(new Flatten().apply(tensor([1, 2, 3])), [[1], [2], [3]]);
    });
  });

  it('gradient matches finite differences', () => {
    const layer = new Flatten();
    expect(gradientError((t) => projectedSum(layer.apply(t)), [randomTensor([2, 2, 3], 4)], 1e-2)).toBeLessThan(1e-3);
  });

  it('config matches Keras key for key and round-trips', () => {
    const layer = new Flatten({ name: 'flatten' });
    expect(layer.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('cnn', 'flatten')));
    expect(Object.keys(layer.getConfig()).sort()).toEqual(Object.keys(withoutSharedIds(fixtureLayerConfig('cnn', 'flatten'))).sort());
    const x = randomTensor([2, 3, 4]);
    const clone = cloneWithWeights(new Flatten('channels_first'), x);
    expect(clone.dataFormat).toBe('channels_first');
    expect(() => new Flatten('channels_middle' as never)).toThrow(/data_format/);
  });

  it('rejects a scalar input naming the layer and both shapes', () => {
    const layer = new Flatten({ name: 'flat_probe' });
    expect(() => tidy(() => layer.apply(tensor(3)))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(tensor(3)))).toThrow(/flat_probe.*\(None,\).*\(\)/);
  });

  it('symbolic shapes: known, unknown dims; no tensor leak', async () => {
    const y = new Flatten().apply(Input({ shape: [5, 5, 8] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 200]);
    expect(new Flatten().computeOutputShape([null, null, 3])).toEqual([null, null]);
    expect(new Flatten().computeOutputShape([4])).toEqual([4, 1]);
    const layer = new Flatten('channels_first');
    const x = randomTensor([2, 3, 4, 5]);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
