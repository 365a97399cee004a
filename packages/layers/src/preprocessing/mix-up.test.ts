import { type Config, type Tensor, ops, tensor, tidy } from '@strata/core';
import { tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { CutMix, MixUp } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

const data = (t: Tensor) => Array.from(t.dataSync());
const n = 16;
// Image i is constant i; label i is one_hot(i): a mixed image's value is sum_k label_k * k.
const makeBatch = (h = 4, w = 4) => ({
  images: ops.multiply(ops.reshape(ops.cast(ops.arange(0, n), 'float32'), [n, 1, 1, 1]), ops.ones([n, h, w, 2])),
  labels: ops.oneHot(tensor(Array.from({ length: n }, (_, i) => i), [n], 'int32'), n),
});

describe('MixUp', () => {
  it('mixes images and labels with the same Beta weights; identity at inference; seeded', async () => {
    const { images, labels } = makeBatch();
    const layer = new MixUp(0.4, 3);
    tidy(() => {
      expect(layer.apply([images, labels])).toEqual([images, labels]);
      const [xi, yl] = layer.apply([images, labels], { training: true }) as Tensor[];
      const [xi2, yl2] = new MixUp(0.4, 3).apply([images, labels], { training: true }) as Tensor[];
      expect(data(xi!)).toEqual(data(xi2!));
      expect(data(yl!)).toEqual(data(yl2!));
      const x = data(xi!);
      const y = data(yl!);
      let mixed = 0;
      for (let i = 0; i < n; i++) {
        const row = y.slice(i * n, i * n + n);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(row.filter((v) => v > 0).length).toBeLessThanOrEqual(2);
        const value = row.reduce((a, v, k) => a + v * k, 0);
        for (let p = 0; p < 32; p++) expect(x[i * 32 + p]).toBeCloseTo(value, 4);
        if (row.filter((v) => v > 1e-3).length === 2) mixed++;
      }
      expect(mixed).toBeGreaterThan(5);
      const only = layer.apply(images, { training: true }) as Tensor;
      expect(only.shape).toEqual([n, 4, 4, 2]);
    });
    const run = () => {
      for (const t of layer.apply([images, labels], { training: true }) as Tensor[]) t.dispose();
    };
    expect(await tensorLeak(run)).toBe(0);
    images.dispose();
    labels.dispose();
  });

  it('config; errors; output shape', () => {
    const l = new MixUp(0.3, 2, { name: 'mu' });
    expect(l.getConfig()).toMatchObject({ name: 'mu', alpha: 0.3, seed: 2 });
    expect(roundTrip<MixUp>(l).getConfig()).toEqual(l.getConfig());
    expect(new MixUp().alpha).toBe(0.2);
    expect(() => new MixUp(0)).toThrow(/MixUp.*alpha/);
    tidy(() => {
      expect(() => l.apply(tensor([1, 2, 3, 4], [2, 2]), { training: true })).toThrow(/MixUp "mu".*\(2, 2\)/);
      expect(() => l.apply([ops.zeros([2, 2, 2, 1]), ops.zeros([3, 2])], { training: true })).toThrow(/MixUp "mu".*\(3, 2\)/);
    });
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('CutMix', () => {
  it('pastes a partner box; labels mixed by the kept area; identity at inference; seeded', async () => {
    const { images, labels } = makeBatch(8, 8);
    const layer = new CutMix(1, 5);
    tidy(() => {
      expect(layer.apply([images, labels])).toEqual([images, labels]);
      const [xi, yl] = layer.apply([images, labels], { training: true }) as Tensor[];
      const [xi2] = new CutMix(1, 5).apply([images, labels], { training: true }) as Tensor[];
      expect(data(xi!)).toEqual(data(xi2!));
      const x = data(xi!);
      const y = data(yl!);
      let cut = 0;
      for (let i = 0; i < n; i++) {
        const row = y.slice(i * n, i * n + n);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        const px = x.slice(i * 128, i * 128 + 128);
        const foreign = px.filter((v) => v !== i);
        if (foreign.length > 0) {
          cut++;
          expect(new Set(foreign).size).toBe(1);
          expect(row[foreign[0]!]).toBeCloseTo(foreign.length / 128, 5);
        }
        expect(row[i]).toBeCloseTo(1 - foreign.length / 128, 5);
      }
      expect(cut).toBeGreaterThan(5);
    });
    const run = () => {
      for (const t of layer.apply([images, labels], { training: true }) as Tensor[]) t.dispose();
    };
    expect(await tensorLeak(run)).toBe(0);
    images.dispose();
    labels.dispose();
  });

  it('config; errors; output shape', () => {
    const l = new CutMix(0.5, 2, { name: 'cm' });
    expect(l.getConfig()).toMatchObject({ name: 'cm', factor: 0.5, seed: 2 });
    expect(roundTrip<CutMix>(l).getConfig()).toEqual(l.getConfig());
    expect(new CutMix().factor).toBe(1);
    expect(() => new CutMix(-1)).toThrow(/CutMix.*factor/);
    tidy(() => {
      expect(() => l.apply(tensor([1, 2, 3, 4], [2, 2]), { training: true })).toThrow(/CutMix "cm".*\(2, 2\)/);
    });
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
