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
        // Keras shares one draw between the directions: both flips or none.
        const yb = data(both.apply(x, { training: true }));
        expect([
          [1, 2, 3, 4],
          [4, 3, 2, 1],
        ]).toContainEqual(yb);
        outs.add(JSON.stringify(yb));
      }
      expect(outs.size).toBe(2);
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
  it('training: one offset int(U[0, H - h + 1)) per batch when the image is strictly larger; identity at inference', async () => {
    const x = tensor(Array.from({ length: 2 * 5 * 6 }, (_, i) => i % 30), [2, 5, 6, 1]);
    const c = new RandomCrop(2, 3, 4);
    const counts = new Map<string, number>();
    tidy(() => {
      for (let k = 0; k < 300; k++) {
        const y = data(c.apply(x, { training: true }));
        const h0 = Math.floor(y[0]! / 6);
        const w0 = y[0]! % 6;
        // Both images are cropped at the same place.
        expect(y).toEqual([0, 1, 2, 6, 7, 8, 0, 1, 2, 6, 7, 8].map((o) => y[0]! + o));
        counts.set(`${h0},${w0}`, (counts.get(`${h0},${w0}`) ?? 0) + 1);
      }
      // Keras 3 returns the input unchanged at inference (keras-team/keras#21868).
      expect(c.apply(x)).toBe(x);
    });
    // h0 in 0..3, w0 in 0..3, uniform: 16 offsets of ~19 draws each.
    expect(counts.size).toBe(16);
    for (const [key, v] of counts) {
      const [h0, w0] = key.split(',').map(Number);
      expect(h0! <= 3 && w0! <= 3).toBe(true);
      expect(v).toBeGreaterThan(5);
    }
    expect(tidy(() => data(new RandomCrop(2, 3, 4).apply(x, { training: true })))).toEqual(tidy(() => data(new RandomCrop(2, 3, 4).apply(x, { training: true }))));
    expect(await tensorLeak(() => c.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });

  it('training without room on an axis: target-size slice at the aspect-ratio box offset, resized if short', () => {
    // 1-D half-pixel bilinear (TF, antialias off) from n to m samples.
    const bilinear = (v: number[], m: number) =>
      Array.from({ length: m }, (_, i) => {
        const src = ((i + 0.5) * v.length) / m - 0.5;
        const f = Math.floor(src);
        const lo = Math.max(f, 0);
        const hi = Math.min(Math.ceil(src), v.length - 1);
        return v[lo]! + (v[hi]! - v[lo]!) * (src - f);
      });
    tidy(() => {
      const x = tensor(Array.from({ length: 30 }, (_, i) => i), [5, 6, 1], 'int32');
      // H equals the target: crop_h = min(5, int(6 * 5 / 3)) = 5, crop_w = int(5 * 3 / 5) = 3,
      // offsets (0, int(3 / 2) = 1): columns 1..3, no resize.
      const eq = new RandomCrop(5, 3, 1).apply(x, { training: true });
      expect(eq.dtype).toBe('float32');
      expect(data(eq)).toEqual([0, 1, 2, 3, 4].flatMap((r) => [1, 2, 3].map((c) => 6 * r + c)));
      // 4x8 image, 6x6 target: offsets (0, int((8 - 4) / 2) = 2); the slice [0:6, 2:8] is 4x6,
      // resized to 6x6 (rows 4 -> 6 bilinear, columns unchanged), unlike smart_resize.
      const img = Array.from({ length: 32 }, (_, i) => i);
      const y = new RandomCrop(6, 6, 1).apply(tensor(img, [4, 8, 1]), { training: true });
      const cols = [2, 3, 4, 5, 6, 7].map((c) => bilinear([0, 1, 2, 3].map((r) => img[8 * r + c]!), 6));
      const expected = Array.from({ length: 6 }, (_, r) => cols.map((col) => col[r]!));
      expectAllClose(y, expected.map((row) => row.map((v) => [v])), { atol: 1e-4 });
      // A 2x2 image and a 4x4 target: the slice is the whole image, resized.
      const up = new RandomCrop(4, 4, 1).apply(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { training: true });
      const r0 = bilinear([1, 2], 4);
      const r1 = bilinear([3, 4], 4);
      const ref = [0, 1, 2, 3].map((i) => r0.map((_, j) => bilinear([r0[j]!, r1[j]!], 4)[i]!));
      expectAllClose(up, [ref.map((row) => row.map((v) => [v]))], { atol: 1e-5 });
    });
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
