import { type Config, type Tensor, deserializeKerasObject, memory, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Solarization } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());

describe('Solarization (keras/src/layers/preprocessing/image_preprocessing/solarization.py)', () => {
  it('zero factors: threshold 0, so every value becomes 255 - x (on the [0, 255] scale)', () => {
    const x = tensor([0, 100, 127, 128, 200, 255], [1, 2, 3, 1]);
    tidy(() => {
      expect(data(new Solarization().apply(x, { training: true }) as Tensor)).toEqual([255, 155, 128, 127, 55, 0]);
      // value_range [0, 1]: y = 1 - x; a reversed range is sorted, as Keras does.
      expectAllClose(new Solarization({ valueRange: [1, 0] }).apply(tensor([0.25, 0.9], [1, 2, 1]), { training: true }) as Tensor, [[[0.75], [0.1]]], { atol: 1e-6 });
    });
    x.dispose();
  });

  it('threshold ~ U[threshold_factor[0], threshold_factor[1] * 255): only the upper bound is scaled', () => {
    // Each image holds 0..255; with no addition, the count of inverted pixels is #{v >= t} = 256 - ceil(t).
    const n = 400;
    const ramp = tensor(Array.from({ length: n * 256 }, (_, i) => i % 256), [n, 16, 16, 1]);
    const counts = tidy(() => {
      const y = new Solarization({ thresholdFactor: [1, 1], seed: 4 }).apply(ramp, { training: true }) as Tensor;
      const inverted = ops.notEqual(y, ramp);
      return data(ops.sum(ops.cast(inverted, 'float32'), [1, 2, 3]));
    });
    // t in [1, 255): 0 is never inverted and 255 always is, so the counts lie in [1, 255].
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(255);
    const mean = counts.reduce((a, b) => a + b, 0) / n;
    // E[256 - ceil(t)] with t ~ U[1, 255) is 256 - 128.5 = 127.5 (sd of the mean ~ 3.7).
    expect(Math.abs(mean - 127.5)).toBeLessThan(15);
    // A fixed [255, 255] threshold (scaling both bounds) would always invert exactly one value.
    expect(new Set(counts).size).toBeGreaterThan(50);
    ramp.dispose();
  });

  it('addition ~ U[addition_factor[0], addition_factor[1] * 255), added before clipping and inverting', () => {
    // x = 0, threshold 0: y = 255 - min(a, 255) with a ~ U[0.5, 127.5).
    const n = 2000;
    const zeros = ops.zeros([n, 1, 1, 1]);
    const ys = tidy(() => data(new Solarization({ additionFactor: [0.5, 0.5], seed: 11 }).apply(zeros, { training: true }) as Tensor));
    const adds = ys.map((y) => 255 - y);
    expect(Math.min(...adds)).toBeGreaterThanOrEqual(0.5 - 1e-4);
    expect(Math.max(...adds)).toBeLessThan(127.5 + 1e-4);
    const mean = adds.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 64)).toBeLessThan(3);
    zeros.dispose();
  });

  it('float32 out; the values are unchanged at inference; seeded; no leaks', async () => {
    const x = tensor([0, 50, 255, 7], [2, 1, 2, 1], 'int32');
    tidy(() => {
      const inf = new Solarization(0.5, 0.5).apply(x) as Tensor;
      expect(inf.dtype).toBe('float32');
      expect(data(inf)).toEqual([0, 50, 255, 7]);
      const a = data(new Solarization(0.5, 0.5, undefined, 5).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new Solarization(0.5, 0.5, undefined, 5).apply(x, { training: true }) as Tensor));
    });
    const l = new Solarization(0.5, 0.5, undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    const before = memory().numTensors;
    tidy(() => {
      l.apply(x, { training: true });
    });
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('config (factors as the (lower, upper) pair), registration, errors', () => {
    const l = new Solarization(0.1, [0.6, 0.2], [1, 0], 2, { name: 'so' });
    expect(l.getConfig()).toMatchObject({ name: 'so', addition_factor: [0, 0.1], threshold_factor: [0.2, 0.6], value_range: [0, 1], seed: 2 });
    expect(roundTrip<Solarization>(l).getConfig()).toEqual(l.getConfig());
    const d = deserializeKerasObject<Solarization>('layer', { module: 'keras.layers', class_name: 'Solarization', config: l.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(Solarization);
    expect(d.thresholdFactor).toEqual([0.2, 0.6]);
    expect(() => new Solarization(1.5)).toThrow(/Solarization.*addition_factor.*1\.5/);
    expect(() => new Solarization(-0.1)).toThrow(/Solarization.*addition_factor/);
    expect(() => new Solarization(0, [0.2, 1.2])).toThrow(/Solarization.*threshold_factor/);
    expect(() => new Solarization(0, 0, [1, 2, 3] as never)).toThrow(/Solarization.*value_range/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/Solarization "so".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
