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
    expect(l.getConfig()).toMatchObject({ name: 'rs', x_factor: [-0.2, 0.2], y_factor: [0.1, 0.3], fill_mode: 'wrap', fill_value: 1, interpolation: 'bilinear', seed: 4 });
    expect(roundTrip<RandomShear>(l).getConfig()).toEqual(l.getConfig());
    expect(new RandomShear().fillMode).toBe('reflect');
    expect(() => new RandomShear(-1)).toThrow(/RandomShear.*x_factor/);
    expect(() => new RandomShear(0, 0, { fillMode: 'mirror' as never })).toThrow(/RandomShear.*fill_mode/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomShear "rs".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });

  it('s_x = sign * U[x_factor): a number f means [-f, f] (Keras), recovered from a ramp', () => {
    // Row 1 is the ramp 0..10: with bilinear sampling, out(x = 5, y = 1) = 5 + s_x exactly.
    const n = 1500;
    const img = Array.from({ length: 22 }, (_, i) => (i < 11 ? 0 : i - 11));
    const x = tensor(Array.from({ length: n }, () => img).flat(), [n, 2, 11, 1]);
    const shears = (xFactor: number | [number, number]) =>
      tidy(() => {
        const y = data(new RandomShear(xFactor, 0, { fillMode: 'nearest', seed: 6 }).apply(x, { training: true }) as Tensor);
        return Array.from({ length: n }, (_, i) => y[i * 22 + 11 + 5]! - 5);
      });
    const s1 = shears(1);
    expect(Math.min(...s1)).toBeGreaterThanOrEqual(-1 - 1e-4);
    expect(Math.max(...s1)).toBeLessThanOrEqual(1 + 1e-4);
    const mean = s1.reduce((a, b) => a + b, 0) / n;
    const variance = s1.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1 / 3)).toBeLessThan(0.03);
    // A pair [0.6, 0.2] is sorted: |s_x| in [0.2, 0.6), both signs about equally often.
    const s2 = shears([0.6, 0.2]);
    for (const v of s2) expect(Math.abs(v) >= 0.2 - 1e-4 && Math.abs(v) < 0.6 + 1e-4).toBe(true);
    const neg = s2.filter((v) => v < 0).length / n;
    expect(Math.abs(neg - 0.5)).toBeLessThan(0.05);
    x.dispose();
  });

  it('validates each entry in [0, 1]; float32 output also at inference; symmetric pairs round-trip', () => {
    expect(new RandomShear([0.6, 0.2]).xFactor).toEqual([0.2, 0.6]);
    expect(() => new RandomShear([-0.1, 0.5])).toThrow(/RandomShear.*x_factor/);
    expect(() => new RandomShear(0, 1.5)).toThrow(/RandomShear.*y_factor/);
    const l = new RandomShear(0.3, [0.1, 0.2]);
    expect(roundTrip<RandomShear>(l).getConfig()).toEqual(l.getConfig());
    tidy(() => {
      const y = new RandomShear(0.3).apply(tensor([1, 2, 3, 4], [2, 2, 1], 'int32')) as Tensor;
      expect(y.dtype).toBe('float32');
      expect(data(y)).toEqual([1, 2, 3, 4]);
    });
  });
});
