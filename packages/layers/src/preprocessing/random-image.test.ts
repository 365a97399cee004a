import { type Config, type Tensor, ops, setRandomSeed, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { RandomBrightness } from './random-brightness';
import { RandomContrast } from './random-contrast';
import { RandomCrop } from './random-crop';
import { RandomFlip } from './random-flip';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomFlip', () => {
  it('is the identity unless training; seeded layers reproduce; flips about half the images', async () => {
    const x = randomTensor([200, 2, 3, 1], 5);
    const f = new RandomFlip('horizontal', 42);
    tidy(() => {
      expect(data(f.apply(x))).toEqual(data(x));
      const a = data(f.apply(x, { training: true }));
      const b = data(new RandomFlip('horizontal', 42).apply(x, { training: true }));
      expect(a).toEqual(b);
      const flipped = data(ops.flip(x, 2));
      const xs = data(x);
      let nFlip = 0;
      for (let i = 0; i < 200; i++) {
        const s = i * 6;
        const row = a.slice(s, s + 6);
        if (row.every((v, k) => v === flipped[s + k])) nFlip++;
        else expect(row).toEqual(xs.slice(s, s + 6));
      }
      expect(nFlip).toBeGreaterThan(70);
      expect(nFlip).toBeLessThan(130);
    });
    expect(await tensorLeak(() => f.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });

  it('vertical and both modes flip the right axes; config; errors', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      const outs = new Set<string>();
      const v = new RandomFlip('vertical', 1);
      const both = new RandomFlip({ seed: 3 });
      for (let i = 0; i < 30; i++) {
        const y = data(v.apply(x, { training: true }));
        expect([
          [1, 2, 3, 4],
          [3, 4, 1, 2],
        ]).toContainEqual(y);
        outs.add(JSON.stringify(data(both.apply(x, { training: true }))));
      }
      expect(outs.size).toBe(4);
    });
    const f = new RandomFlip('vertical', 7, { name: 'rf' });
    expect(f.getConfig()).toMatchObject({ name: 'rf', mode: 'vertical', seed: 7, data_format: 'channels_last' });
    const back = roundTrip<RandomFlip>(f);
    expect([back.mode, back.seed]).toEqual(['vertical', 7]);
    expect(new RandomFlip().mode).toBe('horizontal_and_vertical');
    expect(() => new RandomFlip('diagonal' as never)).toThrow(/RandomFlip.*diagonal/);
    expect(() => f.apply(tensor([1, 2]), { training: true })).toThrow(/RandomFlip "rf".*\(2,\)/);
    expect(f.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });

  it('is reproducible under setRandomSeed without a layer seed', () => {
    const x = randomTensor([8, 2, 2, 1]);
    setRandomSeed(123);
    const a = tidy(() => data(new RandomFlip().apply(x, { training: true })));
    setRandomSeed(123);
    const b = tidy(() => data(new RandomFlip().apply(x, { training: true })));
    expect(a).toEqual(b);
    x.dispose();
  });
});

describe('RandomContrast', () => {
  it('scales deviations from the per-image channel mean by a factor in range, clipped', async () => {
    const x = randomTensor([50, 3, 3, 2], 9, 100, 150);
    const c = new RandomContrast(0.5, 11);
    tidy(() => {
      expect(data(c.apply(x))).toEqual(data(x));
      const y = c.apply(x, { training: true });
      const mean = ops.mean(x, [1, 2], true);
      // factor per image = (y - m) / (x - m), same for every pixel and channel, within [0.5, 1.5]
      const ratio = data(ops.divide(ops.subtract(y, mean), ops.subtract(x, mean)));
      const factors = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const r = ratio.slice(i * 18, i * 18 + 18);
        for (const v of r) expect(v).toBeCloseTo(r[0]!, 2);
        expect(r[0]).toBeGreaterThanOrEqual(0.5 - 1e-3);
        expect(r[0]).toBeLessThanOrEqual(1.5 + 1e-3);
        factors.add(Math.round(r[0]! * 1000));
      }
      expect(factors.size).toBeGreaterThan(40);
      expect(data(new RandomContrast(0.5, 11).apply(x, { training: true }))).toEqual(data(y));
      const big = new RandomContrast([0, 5], 1, { valueRange: [0, 1] }).apply(tensor([0, 1, 0, 1], [1, 2, 2, 1]), { training: true });
      for (const v of data(big)) expect(v >= 0 && v <= 1).toBe(true);
    });
    expect(await tensorLeak(() => c.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });

  it('config keys, errors', () => {
    const c = new RandomContrast([0.2, 0.3], 5, { valueRange: [0, 1] });
    expect(c.getConfig()).toMatchObject({ factor: [0.2, 0.3], value_range: [0, 1], seed: 5 });
    const back = roundTrip<RandomContrast>(c);
    expect([back.lower, back.upper, back.valueRange, back.seed]).toEqual([0.2, 0.3, [0, 1], 5]);
    expect(new RandomContrast(0.1).valueRange).toEqual([0, 255]);
    expect(() => new RandomContrast(-1)).toThrow(/RandomContrast.*factor/);
    expect(() => new RandomContrast(0.1, null, { valueRange: [1, 0] })).toThrow(/value_range/);
  });
});

describe('RandomBrightness', () => {
  it('adds one delta in factor * range per image, clipped; identity when not training', async () => {
    const x = randomTensor([40, 2, 2, 3], 4, 50, 200);
    const b = new RandomBrightness(0.2, undefined, 8);
    tidy(() => {
      expect(data(b.apply(x))).toEqual(data(x));
      const d = data(ops.subtract(b.apply(x, { training: true }), x));
      for (let i = 0; i < 40; i++) {
        const r = d.slice(i * 12, i * 12 + 12);
        for (const v of r) expect(v).toBeCloseTo(r[0]!, 3);
        expect(Math.abs(r[0]!)).toBeLessThanOrEqual(0.2 * 255 + 1e-3);
      }
      const clipped = data(new RandomBrightness([1, 1], [0, 1], 1).apply(tensor([0.2, 0.9], [1, 1, 2, 1]), { training: true }));
      expectAllClose(clipped, [1, 1]);
    });
    expect(await tensorLeak(() => b.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });

  it('config keys, errors', () => {
    const b = new RandomBrightness({ factor: [-0.1, 0.3], valueRange: [0, 1], seed: 2 });
    expect(b.getConfig()).toMatchObject({ factor: [-0.1, 0.3], value_range: [0, 1], seed: 2 });
    const back = roundTrip<RandomBrightness>(b);
    expect([back.lower, back.upper, back.valueRange]).toEqual([-0.1, 0.3, [0, 1]]);
    expect(() => new RandomBrightness(2)).toThrow(/RandomBrightness.*factor/);
  });
});

describe('RandomCrop', () => {
  it('training crops a random window of the input; inference centre-crops to the aspect ratio and resizes', async () => {
    const x = tensor(Array.from({ length: 5 * 6 }, (_, i) => i), [1, 5, 6, 1]);
    const c = new RandomCrop(2, 3, 4);
    const starts = new Set<string>();
    tidy(() => {
      for (let k = 0; k < 30; k++) {
        const y = data(c.apply(x, { training: true }));
        const h0 = Math.floor(y[0]! / 6);
        const w0 = y[0]! % 6;
        expect(y).toEqual([0, 1, 2, 6, 7, 8].map((o) => y[0]! + o));
        expect(h0 <= 3 && w0 <= 3).toBe(true);
        starts.add(`${h0},${w0}`);
      }
      // inference: 5x6 image, target 2x3 -> crop int(6*2/3)=4 x 6 from row 0, then resize 4x6 -> 2x3.
      const inf = new RandomCrop(2, 3).apply(x);
      expect(inf.shape).toEqual([1, 2, 3, 1]);
      const ref = [0, 1].flatMap((i) => [0, 1, 2].map((j) => 6 * ((i + 0.5) * 2 - 0.5) + ((j + 0.5) * 2 - 0.5)));
      expectAllClose(inf, ref, { atol: 1e-4 });
      const up = new RandomCrop(8, 8, 1).apply(tensor([1, 2, 3, 4], [2, 2, 1]), { training: true });
      expect(up.shape).toEqual([8, 8, 1]);
    });
    expect(starts.size).toBeGreaterThan(5);
    expect(
      tidy(() => data(new RandomCrop(2, 3, 4).apply(x, { training: true }))),
    ).toEqual(tidy(() => data(new RandomCrop(2, 3, 4).apply(x, { training: true }))));
    expect(await tensorLeak(() => c.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });

  it('config keys, output shape, errors', () => {
    const c = new RandomCrop(3, 4, 9, { name: 'rc' });
    expect(c.getConfig()).toMatchObject({ height: 3, width: 4, seed: 9, data_format: 'channels_last' });
    const back = roundTrip<RandomCrop>(c);
    expect([back.height, back.width, back.seed]).toEqual([3, 4, 9]);
    expect(c.computeOutputShape([null, 10, 10, 3])).toEqual([null, 3, 4, 3]);
    expect(() => new RandomCrop(3, -1)).toThrow(/RandomCrop.*width/);
    expect(() => c.apply(tensor([[1]]))).toThrow(/RandomCrop "rc".*\(1, 1\)/);
  });
});
