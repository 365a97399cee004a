import { type Config, type Tensor, deserializeKerasObject, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Equalization } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());
const train = (l: Equalization, x: Tensor) => data(l.apply(x, { training: true }) as Tensor);

describe('Equalization (keras/src/layers/preprocessing/image_preprocessing/equalization.py)', () => {
  it('maps through round((cdf - cdf_min) * 255 / (cdf[-1] - cdf_min)) at int(v * (bins - 1) / 255)', () => {
    tidy(() => {
      // hist: bin 0 -> 2, bin 100 -> 1, bin 200 -> 1; cdf_min = 2, denominator 2:
      // lut[0] = 0, lut[100] = round(127.5) = 128, lut[200] = 255.
      expect(train(new Equalization(), tensor([0, 0, 100, 200], [2, 2, 1]))).toEqual([0, 0, 128, 255]);
      // Same data on [0, 1]: mapped to [0, 255] and back.
      expectAllClose(new Equalization([0, 1]).apply(tensor([0, 0, 100 / 255, 200 / 255], [2, 2, 1]), { training: true }) as Tensor, [0, 0, 128 / 255, 1], {
        atol: 1e-6,
      });
      // bins = 2: bin int(v / 255) is 0 below 255; hist [2, 2], cdf [2, 4] -> lut [0, 255].
      expect(train(new Equalization(undefined, 2), tensor([0, 100, 255, 255], [2, 2, 1]))).toEqual([0, 0, 255, 255]);
      // Python rounds halves to even: 1 + 1 + 101 values, cdf_min 1, denominator 102: lut[100] = round(2.5) = 2.
      const vals = [0, 100, ...Array(101).fill(200)];
      expect(train(new Equalization(), tensor(vals, [1, 103, 1])).slice(0, 3)).toEqual([0, 2, 255]);
    });
  });

  it('one histogram per channel over the whole batch; single-bin channels kept; channels_first', () => {
    tidy(() => {
      // Image 0 is [0, 0], image 1 is [100, 200]: the batch histogram is that of [0, 0, 100, 200]
      // (per-image equalization would give image 1 -> [0, 255]). Channel 1 is constant: kept.
      const x = tensor([0, 9, 0, 9, 100, 9, 200, 9], [2, 1, 2, 2]);
      expect(train(new Equalization(), x)).toEqual([0, 9, 0, 9, 128, 9, 255, 9]);
      const cf = tensor([0, 0, 9, 9, 100, 200, 9, 9], [2, 2, 1, 2]);
      expect(train(new Equalization({ dataFormat: 'channels_first' }), cf)).toEqual([0, 0, 9, 9, 128, 255, 9, 9]);
      // Values in one bin (here 3.2 and 3.7 both bin 3) are kept as they are.
      expectAllClose(new Equalization().apply(tensor([3.2, 3.7], [1, 2, 1]), { training: true }) as Tensor, [3.2, 3.7]);
    });
  });

  it('the identity at inference; float32 out in training; no leaks', async () => {
    const x = tensor([0, 0, 100, 200], [2, 2, 1], 'int32');
    const l = new Equalization();
    tidy(() => {
      expect(l.apply(x) as Tensor).toBe(x);
      const y = l.apply(x, { training: true }) as Tensor;
      expect(y.dtype).toBe('float32');
      expect(data(y)).toEqual([0, 0, 128, 255]);
    });
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('config; registration; errors', () => {
    const l = new Equalization([1, 0], 64, { name: 'eq' });
    expect(l.getConfig()).toMatchObject({ name: 'eq', value_range: [0, 1], bins: 64 });
    expect(roundTrip<Equalization>(l).getConfig()).toEqual(l.getConfig());
    expect(new Equalization().bins).toBe(256);
    const d = deserializeKerasObject<Equalization>('layer', { module: 'keras.layers', class_name: 'Equalization', config: l.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(Equalization);
    expect(() => new Equalization(undefined, 0)).toThrow(/Equalization.*bins=0/);
    expect(() => new Equalization([3] as never)).toThrow(/Equalization.*value_range/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/Equalization "eq".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
