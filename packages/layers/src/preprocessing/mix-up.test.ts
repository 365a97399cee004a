import { type Config, type Tensor, deserializeKerasObject, ops, tensor, tidy } from '@strata/core';
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

describe('CutMix (keras/src/layers/preprocessing/image_preprocessing/cut_mix.py)', () => {
  it('pastes one continuous box of a partner: labels mixed by 1 - (x1 - x0)(y1 - y0) / (W H)', async () => {
    const { images, labels } = makeBatch(8, 8);
    const layer = new CutMix(1, 5);
    let fractional = 0;
    tidy(() => {
      const [xi, yl] = layer.apply([images, labels], { training: true }) as Tensor[];
      const [xi2] = new CutMix(1, 5).apply([images, labels], { training: true }) as Tensor[];
      expect(data(xi!)).toEqual(data(xi2!));
      const x = data(xi!);
      const y = data(yl!);
      let cut = 0;
      for (let i = 0; i < n; i++) {
        const row = y.slice(i * n, i * n + n);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        // Pixel (r, c) of image i (2 channels alike) comes from one partner inside a rectangle.
        const rows = new Set<number>();
        const cols = new Set<number>();
        const partners = new Set<number>();
        for (let r = 0; r < 8; r++) {
          for (let c = 0; c < 8; c++) {
            const v = x[((i * 8 + r) * 8 + c) * 2]!;
            expect(x[((i * 8 + r) * 8 + c) * 2 + 1]).toBe(v);
            if (v !== i) {
              rows.add(r);
              cols.add(c);
              partners.add(v);
            }
          }
        }
        const pasted = x.filter((v, k) => Math.floor(k / 128) === i && v !== i).length / 2;
        expect(pasted).toBe(rows.size * cols.size);
        const cutFraction = 1 - row[i]!;
        if (partners.size === 1) {
          cut++;
          const [p] = [...partners];
          expect(row[p!]).toBeCloseTo(cutFraction, 5);
        }
        // The box sides are sqrt(1 - lambda) * 8 on both axes and 1 - kept = side^2 / 64, so the
        // pasted rows and columns are within one of 8 sqrt(1 - kept).
        const side = 8 * Math.sqrt(cutFraction);
        expect(Math.abs(rows.size - side)).toBeLessThanOrEqual(1 + 1e-4);
        expect(Math.abs(cols.size - side)).toBeLessThanOrEqual(1 + 1e-4);
        // The weight uses the continuous box, not the pixel count.
        if (Math.abs(cutFraction * 64 - Math.round(cutFraction * 64)) > 1e-3) fractional++;
      }
      expect(cut).toBeGreaterThan(5);
    });
    expect(fractional).toBeGreaterThan(5);
    const run = () => {
      for (const t of layer.apply([images, labels], { training: true }) as Tensor[]) t.dispose();
    };
    expect(await tensorLeak(run)).toBe(0);
    images.dispose();
    labels.dispose();
  });

  it('lambda ~ Beta(alpha, alpha), alpha ~ U[factor) + 1e-6: kept fractions uniform for factor [1, 1]', () => {
    // factor (1, 1): alpha = 1 + 1e-6, lambda ~ U(0, 1) and the kept fraction equals lambda exactly
    // (sides sqrt(1 - lambda) W and H): mean 1/2, variance 1/12. factor (0, 0): alpha = 1e-6, lambda
    // is almost surely 0 or 1: variance 1/4. An image paired with itself (1 in 16) keeps weight 1,
    // which moves the uniform case to mean ~0.53, variance ~0.093.
    const { images, labels } = makeBatch(4, 4);
    const kept = (factor: [number, number], seed: number) => {
      const layer = new CutMix(factor, seed);
      const out: number[] = [];
      for (let k = 0; k < 40; k++) {
        tidy(() => {
          const [, yl] = layer.apply([images, labels], { training: true }) as Tensor[];
          const y = data(yl!);
          for (let i = 0; i < n; i++) out.push(y[i * n + i]!);
        });
      }
      return out;
    };
    const stats = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length] as const;
    };
    const [m1, v1] = stats(kept([1, 1], 3));
    expect(Math.abs(m1 - 0.53)).toBeLessThan(0.05);
    expect(Math.abs(v1 - 0.093)).toBeLessThan(0.02);
    const [, v0] = stats(kept([0, 0], 3));
    expect(v0).toBeGreaterThan(0.2);
    images.dispose();
    labels.dispose();
  });

  it('inference casts images to float32 and returns labels as they are', () => {
    tidy(() => {
      const x = ops.ones([2, 2, 2, 1], 'int32');
      const lab = tensor([[1, 0], [0, 1]]);
      const [xi, yl] = new CutMix().apply([x, lab]) as Tensor[];
      expect(xi!.dtype).toBe('float32');
      expect(data(xi!)).toEqual(data(x));
      expect(yl).toBe(lab);
    });
  });

  it('config (factor as the _set_factor pair); registration; errors; output shape', () => {
    const l = new CutMix(0.5, 2, { name: 'cm' });
    expect(l.getConfig()).toMatchObject({ name: 'cm', factor: [0, 0.5], seed: 2 });
    expect(roundTrip<CutMix>(l).getConfig()).toEqual(l.getConfig());
    expect(new CutMix().factor).toEqual([0, 1]);
    expect(new CutMix([0.8, 0.2]).factor).toEqual([0.2, 0.8]);
    const d = deserializeKerasObject<CutMix>('layer', { module: 'keras.layers', class_name: 'CutMix', config: l.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(CutMix);
    expect(() => new CutMix(-1)).toThrow(/CutMix.*factor/);
    expect(() => new CutMix(1.5)).toThrow(/CutMix.*factor/);
    expect(() => new CutMix([2, 3])).toThrow(/CutMix.*factor/);
    tidy(() => {
      expect(() => l.apply(tensor([1, 2, 3, 4], [2, 2]), { training: true })).toThrow(/CutMix "cm".*\(2, 2\)/);
    });
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});

describe('single images (rank 3)', () => {
  it('MixUp and CutMix pass one image through as float32, as Keras', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [2, 2, 1], 'int32');
      for (const l of [new MixUp(0.2, 1), new CutMix(1, 1)]) {
        const y = l.apply(x, { training: true }) as Tensor;
        expect(y.dtype).toBe('float32');
        expect(data(y)).toEqual([1, 2, 3, 4]);
      }
    });
  });
});
