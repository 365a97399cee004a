import { type Config, type Tensor, tensor, tidy } from '@strata/core';
import { tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { RandomShear } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomShear', () => {
  it('shears rows by s_x * y (sign random), constant fill; identity at inference', async () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    // s_x = +1: row y samples x + y; s_x = -1: x - y (outside -> 0).
    const plus = [1, 2, 3, 5, 6, 0, 9, 0, 0];
    const minus = [1, 2, 3, 0, 4, 5, 0, 0, 7];
    const seen = new Set<string>();
    tidy(() => {
      const l = new RandomShear({ xFactor: [1, 1], fillMode: 'constant', interpolation: 'nearest', seed: 3 });
      for (let i = 0; i < 20; i++) {
        const y = data(l.apply(x, { training: true }) as Tensor);
        expect([plus, minus]).toContainEqual(y);
        seen.add(JSON.stringify(y));
      }
      expect(seen.size).toBe(2);
      expect(data(l.apply(x) as Tensor)).toEqual(data(x));
      // y shear on a channels_first single image: column x samples y + s_y x.
      const cf = new RandomShear({ yFactor: [1, 1], fillMode: 'constant', interpolation: 'nearest', dataFormat: 'channels_first', seed: 1 });
      const out = data(cf.apply(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3]), { training: true }) as Tensor);
      expect([
        [1, 5, 9, 4, 8, 0, 7, 0, 0],
        [1, 0, 0, 4, 2, 0, 7, 5, 3],
      ]).toContainEqual(out);
    });
    const l = new RandomShear(0.3, 0.3, { seed: 2 });
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors; output shape', () => {
    const x = randomTensor([4, 5, 5, 2], 3);
    tidy(() => {
      const a = data(new RandomShear(0.4, 0.2, { seed: 9 }).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomShear(0.4, 0.2, { seed: 9 }).apply(x, { training: true }) as Tensor));
      expect((new RandomShear(0.4).apply(x, { training: true }) as Tensor).shape).toEqual([4, 5, 5, 2]);
    });
    x.dispose();
    const l = new RandomShear(0.2, [0.1, 0.3], { name: 'rs', fillMode: 'wrap', fillValue: 1, seed: 4 });
    expect(l.getConfig()).toMatchObject({ name: 'rs', x_factor: [0, 0.2], y_factor: [0.1, 0.3], fill_mode: 'wrap', fill_value: 1, interpolation: 'bilinear', seed: 4 });
    expect(roundTrip<RandomShear>(l).getConfig()).toEqual(l.getConfig());
    expect(new RandomShear().fillMode).toBe('reflect');
    expect(() => new RandomShear(-1)).toThrow(/RandomShear.*x_factor/);
    expect(() => new RandomShear(0, 0, { fillMode: 'mirror' as never })).toThrow(/RandomShear.*fill_mode/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomShear "rs".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
