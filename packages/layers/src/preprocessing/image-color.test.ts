import { type Config, type Tensor, setRandomSeed, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { RandomColorDegeneration, RandomGrayscale, RandomHue, RandomInvert, RandomPosterization, RandomSaturation, RandomSharpness } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomGrayscale', () => {
  it('factor 1 converts with the rgb_to_grayscale weights; factor 0 and inference are identity', async () => {
    const x = tensor([10, 20, 30, 100, 0, 50], [1, 1, 2, 3]);
    const g1 = 0.2989 * 10 + 0.587 * 20 + 0.114 * 30;
    const g2 = 0.2989 * 100 + 0.114 * 50;
    tidy(() => {
      expectAllClose(new RandomGrayscale(1, 3).apply(x, { training: true }) as Tensor, [[[[g1, g1, g1], [g2, g2, g2]]]]);
      expect(data(new RandomGrayscale(0, 3).apply(x, { training: true }) as Tensor)).toEqual(data(x));
      expect(data(new RandomGrayscale(1, 3).apply(x) as Tensor)).toEqual(data(x));
      const cf = new RandomGrayscale({ factor: 1, dataFormat: 'channels_first' });
      const xcf = tensor([10, 100, 20, 0, 30, 50], [3, 1, 2]);
      expectAllClose(cf.apply(xcf, { training: true }) as Tensor, [[[g1, g2]], [[g1, g2]], [[g1, g2]]]);
    });
    const l = new RandomGrayscale(1, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('is seeded, converts about factor of the images; config; errors', () => {
    const x = randomTensor([200, 2, 2, 3], 4);
    tidy(() => {
      const a = data(new RandomGrayscale(0.5, 9).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomGrayscale(0.5, 9).apply(x, { training: true }) as Tensor));
      const xs = data(x);
      let n = 0;
      for (let i = 0; i < 200; i++) {
        const img = a.slice(i * 12, i * 12 + 12);
        if (img.every((v, k) => v === xs[i * 12 + k])) continue;
        n++;
        for (let p = 0; p < 4; p++) expect(img[p * 3]).toBeCloseTo(img[p * 3 + 2]!, 5);
      }
      expect(n).toBeGreaterThan(70);
      expect(n).toBeLessThan(130);
      setRandomSeed(5);
      const b1 = data(new RandomGrayscale().apply(x, { training: true }) as Tensor);
      setRandomSeed(5);
      expect(data(new RandomGrayscale().apply(x, { training: true }) as Tensor)).toEqual(b1);
    });
    x.dispose();
    const l = new RandomGrayscale(0.3, 2, { name: 'rg' });
    expect(l.getConfig()).toMatchObject({ name: 'rg', factor: 0.3, seed: 2, data_format: 'channels_last' });
    const back = roundTrip<RandomGrayscale>(l);
    expect([back.factor, back.seed]).toEqual([0.3, 2]);
    expect(new RandomGrayscale().factor).toBe(0.5);
    expect(() => new RandomGrayscale(1.5)).toThrow(/RandomGrayscale.*factor/);
    expect(() => l.apply(tensor([1, 2]))).toThrow(/RandomGrayscale "rg".*\(2,\)/);
    expect(() => l.apply(tensor([1, 2, 3, 4], [1, 2, 2]))).toThrow(/RandomGrayscale "rg".*3.*\(1, 2, 2\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomInvert', () => {
  it('inverts to value_range[1] - x with factor 1 pair; identity at inference and factor 0', async () => {
    const x = tensor([0, 50, 255, 100], [1, 2, 2, 1]);
    tidy(() => {
      expect(data(new RandomInvert([1, 1], undefined, 1).apply(x, { training: true }) as Tensor)).toEqual([255, 205, 0, 155]);
      expect(data(new RandomInvert(0, undefined, 1).apply(x, { training: true }) as Tensor)).toEqual(data(x));
      expect(data(new RandomInvert([1, 1], [0, 1], 1).apply(tensor([0.25], [1, 1, 1]), { training: true }) as Tensor)).toEqual([0.75]);
      expect(data(new RandomInvert([1, 1], undefined, 1).apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomInvert(1, undefined, 4);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('default factor 1 inverts about half the images (p ~ U[0, 1]); seeded; config; errors', () => {
    const x = randomTensor([400, 1, 2, 1], 3, 0, 255);
    tidy(() => {
      const a = data(new RandomInvert({ seed: 7 }).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomInvert({ seed: 7 }).apply(x, { training: true }) as Tensor));
      const xs = data(x);
      let n = 0;
      for (let i = 0; i < 400; i++) {
        if (a[2 * i] === xs[2 * i]) expect(a[2 * i + 1]).toBe(xs[2 * i + 1]);
        else {
          n++;
          expect(a[2 * i]).toBeCloseTo(255 - xs[2 * i]!, 3);
        }
      }
      // P(u < p), p ~ U[0, 1] (Keras' factor bounds [0, 1]), u ~ U[0, 1) is 1/2.
      expect(n).toBeGreaterThan(160);
      expect(n).toBeLessThan(240);
    });
    x.dispose();
    const l = new RandomInvert(0.5, [0, 1], 2, { name: 'ri' });
    // Keras stores the factor as the (lower, upper) pair.
    expect(l.getConfig()).toMatchObject({ name: 'ri', factor: [0, 0.5], value_range: [0, 1], seed: 2 });
    const back = roundTrip<RandomInvert>(l);
    expect([back.factor, back.valueRange, back.lower, back.upper]).toEqual([[0, 0.5], [0, 1], 0, 0.5]);
    expect(new RandomInvert([0.8, 0.2]).factor).toEqual([0.2, 0.8]);
    expect(() => new RandomInvert(2)).toThrow(/RandomInvert.*factor/);
    expect(() => new RandomInvert(1, [1, 0])).toThrow(/RandomInvert.*value_range/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomInvert "ri".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomPosterization', () => {
  it('keeps the top bits on the [0, 255] scale', async () => {
    const x = tensor([0, 63.7, 64, 200, 255, 129], [1, 2, 3, 1]);
    tidy(() => {
      expect(data(new RandomPosterization([2, 2], undefined, 1).apply(x, { training: true }) as Tensor)).toEqual([0, 0, 64, 192, 192, 128]);
      expect(data(new RandomPosterization([8, 8], undefined, 1).apply(x, { training: true }) as Tensor)).toEqual([0, 63, 64, 200, 255, 129]);
      // A number f is Keras' factor (1, f), and bits are drawn by randint(1, f): f = 2 always keeps 1 bit.
      expect(data(new RandomPosterization(2, undefined, 1).apply(x, { training: true }) as Tensor)).toEqual([0, 0, 0, 128, 128, 128]);
      expect(data(new RandomPosterization(1, undefined, 1).apply(x) as Tensor)).toEqual(data(x));
      // value_range [0, 1]: 0.6 -> 153 -> 128 (1 bit) -> 128/255.
      expectAllClose(new RandomPosterization(1, [0, 1], 1).apply(tensor([0.6, 0.2], [1, 2, 1]), { training: true }) as Tensor, [[[128 / 255], [0]]]);
    });
    const l = new RandomPosterization([1, 8], undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('draws bits per image in the pair; seeded; config; errors', () => {
    const x = tensor(Array.from({ length: 50 }, () => 255), [50, 1, 1, 1]);
    tidy(() => {
      const a = data(new RandomPosterization([1, 3], undefined, 4).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomPosterization([1, 3], undefined, 4).apply(x, { training: true }) as Tensor));
      // randint(1, 3) excludes 3: one or two bits.
      expect(new Set(a)).toEqual(new Set([128, 192]));
    });
    x.dispose();
    const l = new RandomPosterization(4, [0, 1], 2, { name: 'rp' });
    expect(l.getConfig()).toMatchObject({ name: 'rp', factor: [1, 4], value_range: [0, 1], seed: 2 });
    const back = roundTrip<RandomPosterization>(l);
    expect([back.factor, back.valueRange]).toEqual([[1, 4], [0, 1]]);
    expect(() => new RandomPosterization(9)).toThrow(/RandomPosterization.*factor/);
    expect(() => new RandomPosterization(2.5)).toThrow(/RandomPosterization.*factor/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomPosterization "rp".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomSaturation', () => {
  it('0 gives grayscale (v), 0.5 is a no-op, 1 fully saturates; identity at inference', async () => {
    const x = tensor([200, 100, 100, 10, 20, 40], [1, 1, 2, 3]);
    tidy(() => {
      expectAllClose(new RandomSaturation([0, 0], undefined, 1).apply(x, { training: true }) as Tensor, [[[[200, 200, 200], [40, 40, 40]]]], { atol: 1e-3 });
      // Keras clips the scaled saturation to `value_range`: with [0, 1], factor 1 saturates fully.
      const unit = tensor([200, 100, 100, 10, 20, 40].map((v) => v / 255), [1, 1, 2, 3]);
      expectAllClose(new RandomSaturation([1, 1], [0, 1], 1).apply(unit, { training: true }) as Tensor, [[[[200 / 255, 0, 0], [0, 40 / 3 / 255, 40 / 255]]]], { atol: 1e-3 });
      // factor 0.6 scales the saturation by 0.6 / 0.4 = 1.5: s 0.5 -> 0.75 for (200, 100, 100).
      expectAllClose(new RandomSaturation([0.6, 0.6], undefined, 1).apply(tensor([200, 100, 100], [1, 1, 1, 3]), { training: true }) as Tensor, [[[[200, 50, 50]]]], { atol: 1e-2 });
      const r = randomTensor([3, 4, 4, 3], 2, 0, 255);
      expectAllClose(new RandomSaturation([0.5, 0.5], undefined, 1).apply(r, { training: true }) as Tensor, r, { atol: 1e-3 });
      const cf = randomTensor([2, 3, 2, 2], 6, 0, 1);
      expectAllClose(new RandomSaturation({ factor: [0.5, 0.5], valueRange: [0, 1], dataFormat: 'channels_first' }).apply(cf, { training: true }) as Tensor, cf, { atol: 1e-5 });
      expect(data(new RandomSaturation(1, undefined, 1).apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomSaturation(0.8, undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors', () => {
    const x = randomTensor([10, 2, 2, 3], 8, 0, 255);
    tidy(() => {
      const a = data(new RandomSaturation(0.9, undefined, 5).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomSaturation(0.9, undefined, 5).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomSaturation([0.2, 0.7], [0, 1], 2, { name: 'rs' });
    expect(l.getConfig()).toMatchObject({ name: 'rs', factor: [0.2, 0.7], value_range: [0, 1], seed: 2 });
    expect(roundTrip<RandomSaturation>(l).getConfig()).toEqual(l.getConfig());
    // RandomSaturation keeps Keras' base factor bounds [-1, 1]: a number f is the pair [-f, f].
    expect(new RandomSaturation(0.8).factor).toEqual([-0.8, 0.8]);
    expect(() => new RandomSaturation(1.2)).toThrow(/RandomSaturation.*factor/);
    expect(() => l.apply(tensor([1, 2, 3, 4], [1, 2, 2]), { training: true })).toThrow(/RandomSaturation "rs".*\(1, 2, 2\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomColorDegeneration', () => {
  it('blends towards grayscale by f, clipped', async () => {
    const x = tensor([10, 20, 30, 100, 0, 50], [1, 2, 3]);
    const g1 = 0.2989 * 10 + 0.587 * 20 + 0.114 * 30;
    const g2 = 0.2989 * 100 + 0.114 * 50;
    tidy(() => {
      expectAllClose(new RandomColorDegeneration([1, 1], undefined, 1).apply(x, { training: true }) as Tensor, [[[g1, g1, g1], [g2, g2, g2]]]);
      const half = (v: number, g: number) => v + 0.5 * (g - v);
      expectAllClose(new RandomColorDegeneration([0.5, 0.5], undefined, 1).apply(x, { training: true }) as Tensor, [
        [
          [half(10, g1), half(20, g1), half(30, g1)],
          [half(100, g2), half(0, g2), half(50, g2)],
        ],
      ]);
      expect(data(new RandomColorDegeneration(1, undefined, 1).apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomColorDegeneration(0.5, undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors', () => {
    const x = randomTensor([10, 2, 2, 3], 8, 0, 255);
    tidy(() => {
      const a = data(new RandomColorDegeneration(0.9, undefined, 5).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomColorDegeneration(0.9, undefined, 5).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomColorDegeneration(0.4, [0, 1], 2, { name: 'cd' });
    expect(l.getConfig()).toMatchObject({ name: 'cd', factor: [0, 0.4], value_range: [0, 1], seed: 2 });
    expect(roundTrip<RandomColorDegeneration>(l).getConfig()).toEqual(l.getConfig());
    expect(() => new RandomColorDegeneration(-0.1)).toThrow(/RandomColorDegeneration.*factor/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomColorDegeneration "cd".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomHue', () => {
  it('factor 1 rotates the hue by half a turn; factor 0 is a no-op; identity at inference', async () => {
    const x = tensor([255, 0, 0, 0, 255, 0, 51, 51, 51], [1, 3, 3]);
    tidy(() => {
      expectAllClose(new RandomHue([1, 1], undefined, 1).apply(x, { training: true }) as Tensor, [[[0, 255, 255], [255, 0, 255], [51, 51, 51]]], { atol: 1e-3 });
      const r = randomTensor([3, 4, 4, 3], 2, 0, 255);
      expectAllClose(new RandomHue([0, 0], undefined, 1).apply(r, { training: true }) as Tensor, r, { atol: 1e-3 });
      expect(data(new RandomHue(1, undefined, 1).apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomHue(0.8, undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors', () => {
    const x = randomTensor([10, 2, 2, 3], 8, 0, 255);
    tidy(() => {
      const a = data(new RandomHue(0.9, undefined, 5).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomHue(0.9, undefined, 5).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomHue([0.2, 0.7], [0, 1], 2, { name: 'rh' });
    expect(l.getConfig()).toMatchObject({ name: 'rh', factor: [0.2, 0.7], value_range: [0, 1], seed: 2 });
    expect(roundTrip<RandomHue>(l).getConfig()).toEqual(l.getConfig());
    expect(() => new RandomHue(1.2)).toThrow(/RandomHue.*factor/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomHue "rh".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('RandomSharpness', () => {
  it('0 gives the PIL smooth filter (zero padded), 0.5 is a no-op, 1 sharpens', async () => {
    // 3x3 single-channel image with one bright centre pixel 130.
    const x = tensor([0, 0, 0, 0, 130, 0, 0, 0, 0], [1, 3, 3, 1]);
    tidy(() => {
      expectAllClose(new RandomSharpness([0, 0], undefined, 1).apply(x, { training: true }) as Tensor, [[[[10], [10], [10]], [[10], [50], [10]], [[10], [10], [10]]]]);
      expectAllClose(new RandomSharpness([0.5, 0.5], undefined, 1).apply(x, { training: true }) as Tensor, x);
      // f = 1: 2x - smooth, clipped to [0, 255]: centre 210, neighbours -10 -> 0.
      expectAllClose(new RandomSharpness([1, 1], undefined, 1).apply(x, { training: true }) as Tensor, [[[[0], [0], [0]], [[0], [210], [0]], [[0], [0], [0]]]]);
      const cf = tensor([0, 0, 0, 0, 130, 0, 0, 0, 0], [1, 3, 3]);
      expectAllClose(new RandomSharpness({ factor: [0, 0], dataFormat: 'channels_first' }).apply(cf, { training: true }) as Tensor, [[[10, 10, 10], [10, 50, 10], [10, 10, 10]]]);
      expect(data(new RandomSharpness(1, undefined, 1).apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomSharpness(0.8, undefined, 3);
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors', () => {
    const x = randomTensor([10, 3, 3, 3], 8, 0, 255);
    tidy(() => {
      const a = data(new RandomSharpness(0.9, undefined, 5).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomSharpness(0.9, undefined, 5).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomSharpness([0.2, 0.7], [0, 1], 2, { name: 'sh' });
    expect(l.getConfig()).toMatchObject({ name: 'sh', factor: [0.2, 0.7], value_range: [0, 1], seed: 2 });
    expect(roundTrip<RandomSharpness>(l).getConfig()).toEqual(l.getConfig());
    expect(() => new RandomSharpness(1.2)).toThrow(/RandomSharpness.*factor/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomSharpness "sh".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
