import { type Config, type Tensor, ops, tensor, tidy } from '@strata/core';
import { tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { RandomErasing } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomErasing', () => {
  it('erases one box of the drawn area with fill_value, over all channels; identity at inference', async () => {
    const x = ops.ones([20, 10, 10, 2]);
    tidy(() => {
      const l = new RandomErasing({ factor: [1, 1], scale: [0.25, 0.25], fillValue: 0, seed: 1 });
      const y = data(l.apply(x, { training: true }) as Tensor);
      for (let b = 0; b < 20; b++) {
        const img = y.slice(b * 200, b * 200 + 200);
        // sqrt(0.25) * 10 = 5: a 5x5 box, both channels.
        expect(img.filter((v) => v === 0).length).toBe(50);
        const rows = new Set<number>();
        const cols = new Set<number>();
        img.forEach((v, i) => {
          if (v === 0) {
            rows.add(Math.floor(i / 20));
            cols.add(Math.floor(i / 2) % 10);
            expect(img[i % 2 === 0 ? i + 1 : i - 1]).toBe(0);
          }
        });
        expect([rows.size, cols.size, Math.max(...rows) - Math.min(...rows), Math.max(...cols) - Math.min(...cols)]).toEqual([5, 5, 4, 4]);
      }
      expect(data(l.apply(x) as Tensor)).toEqual(data(x));
      expect(data(new RandomErasing(0, 0.5, 0).apply(x, { training: true }) as Tensor)).toEqual(data(x));
      const noise = data(new RandomErasing({ factor: [1, 1], scale: [1, 1], valueRange: [2, 3], seed: 2 }).apply(x, { training: true }) as Tensor);
      expect(noise.every((v) => v >= 2 && v <= 3)).toBe(true);
      const cf = data(new RandomErasing({ factor: [1, 1], scale: [1, 1], fillValue: 7, dataFormat: 'channels_first' }).apply(ops.ones([2, 3, 3]), { training: true }) as Tensor);
      expect(cf).toEqual(Array(18).fill(7));
    });
    const l = new RandomErasing(1, [0.1, 0.5], null, { seed: 3 });
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors; output shape', () => {
    const x = randomTensor([6, 5, 5, 3], 3, 0, 255);
    tidy(() => {
      const a = data(new RandomErasing(0.8, [0.1, 0.4], null, { seed: 9 }).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomErasing(0.8, [0.1, 0.4], null, { seed: 9 }).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomErasing([0.2, 0.6], [0.1, 0.2], 5, { name: 're', seed: 4, valueRange: [0, 10] });
    expect(l.getConfig()).toMatchObject({ name: 're', factor: [0.2, 0.6], scale: [0.1, 0.2], fill_value: 5, value_range: [0, 10], seed: 4 });
    expect(roundTrip<RandomErasing>(l).getConfig()).toEqual(l.getConfig());
    expect(new RandomErasing().scale).toEqual([0.02, 0.33]);
    expect(() => new RandomErasing(2)).toThrow(/RandomErasing.*factor/);
    expect(new RandomErasing(1, [0.5, 0.1]).scale).toEqual([0.1, 0.5]);
    expect(() => new RandomErasing(1, [1.5, 2])).toThrow(/RandomErasing.*scale/);
    expect(new RandomErasing(0.4).factor).toEqual([0, 0.4]);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomErasing "re".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
