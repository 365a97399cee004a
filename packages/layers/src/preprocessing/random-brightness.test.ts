import { type Config, type Tensor, deserializeKerasObject, ops, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { RandomBrightness } from './random-brightness';
import { RandomFlip } from './random-flip';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomBrightness (keras/src/layers/preprocessing/image_preprocessing/random_brightness.py)', () => {
  it('adds d * (high - low), d ~ U[lower, upper) per image, then clips to value_range', () => {
    tidy(() => {
      // Fixed pair [0.1, 0.1] on [0, 255]: + 25.5, clipped at 255.
      const y = new RandomBrightness([0.1, 0.1], undefined, 1).apply(tensor([0, 100, 240, 255], [1, 2, 2, 1]), { training: true });
      expectAllClose(y, [25.5, 125.5, 255, 255], { atol: 1e-4 });
      // [-0.5, -0.5] on [0, 2]: - 1, clipped at 0; a reversed value_range is sorted (Keras sorts it).
      const z = new RandomBrightness({ factor: [-0.5, -0.5], valueRange: [2, 0], seed: 1 }).apply(tensor([0.5, 1.5, 2], [3, 1, 1]), { training: true });
      expectAllClose(z, [0, 0.5, 1], { atol: 1e-6 });
      // factor 0.3: deltas in [-0.3, 0.3) * 255 spread over the whole range, one per image.
      const n = 2000;
      const d = data(ops.subtract(new RandomBrightness(0.3, undefined, 5).apply(ops.full([n, 1, 1, 1], 127.5), { training: true }), 127.5));
      const f = d.map((v) => v / 255);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(-0.3 - 1e-6);
      expect(Math.max(...f)).toBeLessThan(0.3 + 1e-6);
      expect(Math.min(...f)).toBeLessThan(-0.28);
      expect(Math.max(...f)).toBeGreaterThan(0.28);
      expect(Math.abs(f.reduce((a, b) => a + b, 0) / n)).toBeLessThan(0.02);
    });
  });

  it('factor follows Keras _set_factor (bounds [-1, 1]); config holds the pair; registration; errors', () => {
    expect(new RandomBrightness(0.2).factor).toEqual([-0.2, 0.2]);
    expect(new RandomBrightness(-0.2).factor).toEqual([-0.2, 0.2]);
    expect(new RandomBrightness([0.4, -0.1]).factor).toEqual([-0.1, 0.4]);
    const b = new RandomBrightness(0.2, [255, 0], 3, { name: 'rb' });
    expect(b.getConfig()).toMatchObject({ name: 'rb', factor: [-0.2, 0.2], value_range: [0, 255], seed: 3 });
    expect(roundTrip<RandomBrightness>(b).getConfig()).toEqual(b.getConfig());
    const d = deserializeKerasObject<RandomBrightness>('layer', { module: 'keras.layers', class_name: 'RandomBrightness', config: b.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(RandomBrightness);
    expect(() => new RandomBrightness(1.5)).toThrow(/RandomBrightness.*factor.*1\.5/);
    expect(() => new RandomBrightness([2, 3])).toThrow(/RandomBrightness.*factor/);
    expect(() => new RandomBrightness(0.1, [0, 1, 2] as never)).toThrow(/RandomBrightness.*value_range/);
  });
});

describe('RandomFlip output dtype', () => {
  it('casts to float32 (also at inference, as Keras casts to the compute dtype first)', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32');
      const inf = new RandomFlip('horizontal', 1).apply(x);
      expect(inf.dtype).toBe('float32');
      expect(data(inf)).toEqual([1, 2, 3, 4]);
      expect(new RandomFlip('horizontal', 1).apply(x, { training: true }).dtype).toBe('float32');
    });
  });
});
