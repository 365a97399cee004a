import { KerasTensor, ops, ShapeError, setRandomSeed, type Tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import type { Layer } from '../layer';
import { cloneWithWeights, projectedSum, randomTensor } from '../testing/layer-checks';
import { ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D } from './index';

const stats = (t: Tensor) => {
  const d = Array.from(t.dataSync());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length), d };
};

describe('SpatialDropout', () => {
  it('drops whole channels (channels_last / channels_first) at the rate, scaling the rest', () => {
    tidy(() => {
      const y1 = new SpatialDropout1D(0.5, { seed: 1 }).apply(ops.ones([50, 4, 20]), { training: true });
      const d1 = y1.dataSync();
      let dropped = 0;
      for (let b = 0; b < 50; b++)
        for (let c = 0; c < 20; c++) {
          const v = d1[b * 80 + c]!;
          expect(v === 0 || Math.abs(v - 2) < 1e-6).toBe(true);
          for (let t = 1; t < 4; t++) expect(d1[b * 80 + t * 20 + c]).toBe(v);
          if (v === 0) dropped++;
        }
      expect(dropped / 1000).toBeGreaterThan(0.44);
      expect(dropped / 1000).toBeLessThan(0.56);
      const y2 = new SpatialDropout2D(0.5, 'channels_first', 2).apply(ops.ones([10, 6, 3, 3]), { training: true });
      const m = ops.max(y2, [2, 3]);
      expectAllClose(ops.min(y2, [2, 3]), m, { atol: 0 });
      const y3 = new SpatialDropout3D({ rate: 0.5, seed: 3 }).apply(ops.ones([4, 2, 2, 2, 8]), { training: true });
      expectAllClose(ops.min(y3, [1, 2, 3]), ops.max(y3, [1, 2, 3]), { atol: 0 });
    });
  });

  it('seeds reproduce the masks', () => {
    tidy(() => {
      const x = ops.ones([6, 3, 5]);
      expect(Array.from(new SpatialDropout1D(0.4, 9).apply(x, { training: true }).dataSync())).toEqual(
        Array.from(new SpatialDropout1D(0.4, 9).apply(x, { training: true }).dataSync()),
      );
    });
  });
});

describe('GaussianDropout / GaussianNoise / AlphaDropout statistics', () => {
  it('GaussianDropout multiplies by N(1, rate/(1-rate))', () => {
    tidy(() => {
      const y = new GaussianDropout(0.2, { seed: 4 }).apply(ops.ones([200, 100]), { training: true });
      const s = stats(y);
      expect(s.mean).toBeCloseTo(1, 1);
      expect(s.std).toBeGreaterThan(0.5 * 0.95);
      expect(s.std).toBeLessThan(0.5 * 1.05);
    });
  });

  it('GaussianNoise adds N(0, stddev)', () => {
    tidy(() => {
      const x = ops.full([200, 100], 3);
      const s = stats(ops.subtract(new GaussianNoise(0.3, { seed: 5 }).apply(x, { training: true }), x));
      expect(Math.abs(s.mean)).toBeLessThan(0.01);
      expect(s.std).toBeGreaterThan(0.3 * 0.95);
      expect(s.std).toBeLessThan(0.3 * 1.05);
      setRandomSeed(3);
      const a = Array.from(new GaussianNoise(0.3).apply(x, { training: true }).dataSync().slice(0, 10));
      setRandomSeed(3);
      expect(Array.from(new GaussianNoise(0.3).apply(x, { training: true }).dataSync().slice(0, 10))).toEqual(a);
    });
  });

  it('AlphaDropout keeps zero mean / unit variance of standard normal inputs and uses the SELU saturation', () => {
    tidy(() => {
      const rate = 0.3;
      const x = ops.multiply(ops.ones([200, 100]), 0); // all zeros: kept entries -> b, dropped -> a*alphaP + b
      const y = new AlphaDropout(rate, { seed: 6 }).apply(x, { training: true });
      const alphaP = -1.6732632423543772 * 1.0507009873554805;
      const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
      const b = -a * alphaP * rate;
      const s = stats(y);
      let dropped = 0;
      for (const v of s.d) {
        if (Math.abs(v - b) < 1e-5) continue;
        expect(v).toBeCloseTo(a * alphaP + b, 5);
        dropped++;
      }
      expect(dropped / s.d.length).toBeGreaterThan(0.27);
      expect(dropped / s.d.length).toBeLessThan(0.33);
      const z = new AlphaDropout(rate, { seed: 7 }).apply(ops.selu(randomTensor([200, 100], 2, -2, 2)), { training: true });
      const zs = stats(z);
      const xs = stats(ops.selu(randomTensor([200, 100], 2, -2, 2)));
      expect(Math.abs(zs.mean - xs.mean)).toBeLessThan(0.15);
    });
  });
});

describe('ActivityRegularization', () => {
  it('adds (l1*sum|x| + l2*sum x^2)/batch to losses and passes values through', () => {
    const layer = new ActivityRegularization(0.1, 0.01);
    tidy(() => {
      const x = randomTensor([4, 3], 2);
      expectAllClose(layer.apply(x), x, { atol: 0 });
      expect(layer.losses.length).toBe(1);
      const d = Array.from(x.dataSync());
      const expected = (0.1 * d.reduce((s, v) => s + Math.abs(v), 0) + 0.01 * d.reduce((s, v) => s + v * v, 0)) / 4;
      expect(layer.losses[0]!.dataSync()[0]).toBeCloseTo(expected, 5);
    });
    expect(new ActivityRegularization().getConfig()).toMatchObject({ l1: 0, l2: 0 });
  });
});

const layers: { make: () => Layer; keys: string[]; shape: number[]; wrong?: number[] }[] = [
  { make: () => new SpatialDropout1D(0.5, 1), keys: ['rate', 'seed', 'name', 'dtype'], shape: [2, 3, 4], wrong: [2, 3] },
  { make: () => new SpatialDropout2D(0.5, { seed: 1 }), keys: ['rate', 'seed', 'name', 'dtype', 'data_format'], shape: [2, 3, 3, 2], wrong: [2, 3, 3] },
  { make: () => new SpatialDropout3D(0.5, { seed: 1 }), keys: ['rate', 'seed', 'name', 'dtype', 'data_format'], shape: [1, 2, 2, 2, 2], wrong: [2, 3, 3, 2] },
  { make: () => new GaussianDropout(0.3, { seed: 1 }), keys: ['rate', 'seed', 'name', 'dtype', 'trainable'], shape: [3, 4] },
  { make: () => new GaussianNoise(0.3, { seed: 1 }), keys: ['stddev', 'seed', 'name', 'dtype', 'trainable'], shape: [3, 4] },
  { make: () => new AlphaDropout(0.3, { seed: 1, noiseShape: [null, 1] }), keys: ['rate', 'seed', 'noise_shape', 'name', 'dtype', 'trainable'], shape: [3, 4] },
  { make: () => new ActivityRegularization({ l1: 0.1 }), keys: ['l1', 'l2', 'name', 'dtype', 'trainable'], shape: [3, 4] },
];

describe('regularization layers: identity at inference, gradients, configs, leaks', () => {
  for (const c of layers) {
    it(c.make().className, async () => {
      const layer = c.make();
      const x = randomTensor(c.shape, 3);
      tidy(() => {
        expectAllClose(layer.apply(x), x, { atol: 0 });
        expectAllClose(layer.apply(x, { training: false }), x, { atol: 0 });
        expect(layer.computeOutputShape(c.shape)).toEqual(layer.apply(x, { training: true }).shape);
        expect(layer.apply(Input({ shape: c.shape.slice(1) }))).toBeInstanceOf(KerasTensor);
      });
      expect(Object.keys(layer.getConfig()).sort()).toEqual([...c.keys].sort());
      const clone = cloneWithWeights(layer, x);
      expect(clone.getConfig()).toEqual({ ...layer.getConfig(), name: clone.name });
      // in training, the gradient w.r.t. the input (fixed noise: same seed for every evaluation)
      const f = (t: Tensor) => projectedSum(c.make().apply(t, { training: true }));
      expect(gradientError(f, [x], 1e-3)).toBeLessThan(1e-2);
      if (c.wrong != null) {
        expect(() => tidy(() => layer.apply(randomTensor(c.wrong!)))).toThrow(ShapeError);
        expect(() => tidy(() => layer.apply(randomTensor(c.wrong!)))).toThrow(new RegExp(`${layer.name}.*\\(${c.wrong.join(', ')}\\)`));
      }
      expect(await tensorLeak(() => tidy(() => void layer.apply(x, { training: true })))).toBe(0);
      // ActivityRegularization's penalty tensors stay in `layer.losses` (the base Layer keeps them).
      if (!(layer instanceof ActivityRegularization)) expect(await tensorLeak(() => layer.apply(x, { training: true }).dispose())).toBe(0);
      x.dispose();
    });
  }
});
