import { type Config, KerasTensor, ops, ShapeError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { getMask } from '../layer';
import { cloneWithWeights, fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import {
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
} from './index';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

const cases = [
  { name: 'GlobalAveragePooling1D', make: (a?: object) => new GlobalAveragePooling1D(a), max: false, rank: 1 },
  { name: 'GlobalMaxPooling1D', make: (a?: object) => new GlobalMaxPooling1D(a), max: true, rank: 1 },
  { name: 'GlobalAveragePooling2D', make: (a?: object) => new GlobalAveragePooling2D(a), max: false, rank: 2 },
  { name: 'GlobalMaxPooling2D', make: (a?: object) => new GlobalMaxPooling2D(a), max: true, rank: 2 },
  { name: 'GlobalAveragePooling3D', make: (a?: object) => new GlobalAveragePooling3D(a), max: false, rank: 3 },
  { name: 'GlobalMaxPooling3D', make: (a?: object) => new GlobalMaxPooling3D(a), max: true, rank: 3 },
];

describe('GlobalAveragePooling2D (Keras mnv2_block fixture)', () => {
  it('matches Keras on the dw2_relu output and its config', () => {
    tidy(() => expectAllClose(new GlobalAveragePooling2D().apply(fixtureLayerOutput('mnv2_block', 'dw2_relu')), fixtureLayerOutput('mnv2_block', 'gap'), { atol: 1e-6 }));
    expect(new GlobalAveragePooling2D({ name: 'gap' }).getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'gap')));
  });
});

describe('GlobalAveragePooling1D mask', () => {
  it('averages only unmasked steps and consumes the mask', () => {
    tidy(() => {
      const x = tensor([1, 10, 3, 30, 5, 50, 7, 70], [2, 2, 2]);
      const mask = tensor([1, 0, 1, 1], [2, 2], 'bool');
      const y = new GlobalAveragePooling1D().apply(x, { mask });
      expectAllClose(y, [
        [1, 10],
        [6, 60],
      ]);
      expect(getMask(y)).toBeNull();
      const k = new GlobalAveragePooling1D({ keepdims: true }).apply(x, { mask });
      expect(k.shape).toEqual([2, 1, 2]);
      const cf = new GlobalAveragePooling1D('channels_first').apply(ops.transpose(x, [0, 2, 1]), { mask });
      expectAllClose(cf, y);
    });
  });
});

for (const c of cases) {
  describe(c.name, () => {
    const spatial = [3, 4, 2].slice(0, c.rank);
    const axes = spatial.map((_, i) => i + 1);
    it('reduces the spatial axes (channels_last, channels_first, keepdims)', () => {
      tidy(() => {
        const x = randomTensor([2, ...spatial, 5], 3);
        const expected = c.max ? ops.max(x, axes) : ops.mean(x, axes);
        const y = c.make().apply(x);
        expect(y.shape).toEqual([2, 5]);
        expectAllClose(y, expected, { atol: 1e-6 });
        // hand check of one entry
        const d = x.dataSync();
        const firstChannel = Array.from(d).filter((_, i) => i % 5 === 0 && i < d.length / 2);
        const v = c.max ? Math.max(...firstChannel) : firstChannel.reduce((a, b) => a + b, 0) / firstChannel.length;
        expect(y.dataSync()[0]).toBeCloseTo(v, 5);
        const keep = c.make({ keepdims: true }).apply(x);
        expect(keep.shape).toEqual([2, ...spatial.map(() => 1), 5]);
        const cfx = ops.transpose(x, [0, c.rank + 1, ...axes]);
        const cf = c.make({ dataFormat: 'channels_first', keepdims: true });
        const ycf = cf.apply(cfx);
        expect(ycf.shape).toEqual([2, 5, ...spatial.map(() => 1)]);
        expectAllClose(ops.reshape(ycf, [2, 5]), expected, { atol: 1e-6 });
        expect(cf.computeOutputShape([null, 5, ...spatial])).toEqual([null, 5, ...spatial.map(() => 1)]);
        expect(c.make().computeOutputShape([null, ...spatial, 5])).toEqual([null, 5]);
      });
    });

    it('gradient matches finite differences', () => {
      const layer = c.make();
      const x = randomTensor([2, ...spatial, 2], 4);
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
      x.dispose();
    });

    it('config has the Keras keys and round-trips', () => {
      const layer = c.make({ keepdims: true, dataFormat: 'channels_first' });
      expect(Object.keys(layer.getConfig()).sort()).toEqual(['data_format', 'dtype', 'keepdims', 'name', 'trainable']);
      expect(c.make().getConfig()).toMatchObject({ data_format: 'channels_last', keepdims: false });
      const x = randomTensor([1, ...spatial, 2]);
      const clone = cloneWithWeights(layer, x);
      expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
      x.dispose();
    });

    it('rejects a wrong rank naming the layer and shapes; symbolic shape; no leak', async () => {
      const layer = c.make({ name: `bad_${c.name}` });
      expect(() => tidy(() => layer.apply(randomTensor([2, ...spatial])))).toThrow(ShapeError);
      expect(() => tidy(() => layer.apply(randomTensor([2, ...spatial])))).toThrow(new RegExp(`bad_${c.name}.*\\(${[2, ...spatial].join(', ')}\\)`));
      const y = c.make().apply(Input({ shape: [...spatial, 7] }));
      expect(y).toBeInstanceOf(KerasTensor);
      expect(y.shape).toEqual([null, 7]);
      const x = randomTensor([1, ...spatial, 2]);
      expect(await tensorLeak(() => c.make().apply(x).dispose())).toBe(0);
      x.dispose();
    });
  });
}
