import { type Config, SeedGenerator, type Tensor, setRandomSeed, tidy } from '@strata/core';
import { expectAllClose, readFixtureJson, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import * as initializers from './index';
import { householderQR } from './orthogonal';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = t.dataSync();
  let s = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of d) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / d.length;
  let v2 = 0;
  for (const v of d) v2 += (v - mean) ** 2;
  return { mean, std: Math.sqrt(v2 / d.length), min, max };
}

function withTensor<R>(t: Tensor, fn: (t: Tensor) => R): R {
  try {
    return fn(t);
  } finally {
    t.dispose();
  }
}

describe('constant initializers', () => {
  it('Zeros, Ones, Constant, Identity give exact values', () => {
    withTensor(new initializers.Zeros().apply([2, 3]), (t) => expectAllClose(t, [[0, 0, 0], [0, 0, 0]]));
    withTensor(new initializers.Ones().apply([3]), (t) => expectAllClose(t, [1, 1, 1]));
    withTensor(new initializers.Constant(2.5).apply([2, 2]), (t) => expectAllClose(t, [[2.5, 2.5], [2.5, 2.5]]));
    withTensor(new initializers.Constant({ value: -1 }).apply([2]), (t) => expectAllClose(t, [-1, -1]));
    withTensor(new initializers.Identity().apply([2, 3]), (t) => expectAllClose(t, [[1, 0, 0], [0, 1, 0]]));
    withTensor(new initializers.Identity(3).apply([3, 2]), (t) => expectAllClose(t, [[3, 0], [0, 3], [0, 0]]));
    withTensor(new initializers.Zeros().apply([2], 'int32'), (t) => expect(t.dtype).toBe('int32'));
    expect(() => new initializers.Identity().apply([2, 2, 2])).toThrow(/2D matrices/);
  });

  it('configs match Keras', () => {
    expect(new initializers.Zeros().getConfig()).toEqual({});
    expect(new initializers.Constant(3).getConfig()).toEqual({ value: 3 });
    expect(new initializers.Identity({ gain: 2 }).getConfig()).toEqual({ gain: 2 });
  });
});

describe('random initializers', () => {
  it('RandomNormal / RandomUniform / TruncatedNormal: Keras defaults and statistics', () => {
    const n = new initializers.RandomNormal({ seed: 1 });
    expect([n.mean, n.stddev]).toEqual([0, 0.05]);
    const u = new initializers.RandomUniform({ seed: 1 });
    expect([u.minval, u.maxval]).toEqual([-0.05, 0.05]);
    withTensor(new initializers.RandomNormal(1, 2, 3).apply([200, 100]), (t) => {
      const s = stats(t);
      expect(Math.abs(s.mean - 1)).toBeLessThan(0.05);
      expect(Math.abs(s.std - 2)).toBeLessThan(0.05);
    });
    withTensor(new initializers.RandomUniform(-2, 4, 3).apply([200, 100]), (t) => {
      const s = stats(t);
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThan(4);
      expect(Math.abs(s.mean - 1)).toBeLessThan(0.05);
      expect(Math.abs(s.std - 6 / Math.sqrt(12))).toBeLessThan(0.05);
    });
    withTensor(new initializers.TruncatedNormal({ mean: 0, stddev: 1, seed: 3 }).apply([200, 100]), (t) => {
      const s = stats(t);
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThanOrEqual(2);
      expect(Math.abs(s.mean)).toBeLessThan(0.03);
      // Std of a unit normal truncated to [-2, 2].
      expect(Math.abs(s.std - 0.87962566103423978)).toBeLessThan(0.02);
    });
  });

  it('seeds: an int seed repeats, a SeedGenerator advances, no seed follows setRandomSeed', () => {
    const a = new initializers.RandomNormal({ seed: 42 });
    const b = new initializers.RandomNormal({ seed: 42 });
    tidy(() => {
      expectAllClose(a.apply([20]), b.apply([20]), { atol: 0 });
      expectAllClose(a.apply([20]), a.apply([20]), { atol: 0 });
      const g = new initializers.RandomUniform({ seed: new SeedGenerator(5) });
      const first = g.apply([20]).dataSync();
      const second = g.apply([20]).dataSync();
      expect(Array.from(first)).not.toEqual(Array.from(second));
      setRandomSeed(123);
      const x1 = new initializers.GlorotUniform().apply([5, 5]).dataSync();
      setRandomSeed(123);
      const x2 = new initializers.GlorotUniform().apply([5, 5]).dataSync();
      expect(Array.from(x1)).toEqual(Array.from(x2));
      const x3 = new initializers.GlorotUniform().apply([5, 5]).dataSync();
      expect(Array.from(x3)).not.toEqual(Array.from(x1));
    });
  });

  it('computeFans follows Keras (receptive field = prod(shape[:-2]))', () => {
    expect(initializers.computeFans([])).toEqual([1, 1]);
    expect(initializers.computeFans([7])).toEqual([7, 7]);
    expect(initializers.computeFans([3, 5])).toEqual([3, 5]);
    expect(initializers.computeFans([3, 3, 4, 8])).toEqual([36, 72]);
    expect(initializers.computeFans([4, 2, 8], [0], [1, 2])).toEqual([4, 16]);
    expect(initializers.computeFans([3, 4, 8], [1], [2])).toEqual([12, 24]);
  });

  it('Glorot/He/Lecun uniform stay within their limits and fill them', () => {
    const cases: [initializers.VarianceScaling, number[], number][] = [
      [new initializers.GlorotUniform(1), [60, 40], Math.sqrt(6 / 100)],
      [new initializers.GlorotUniform(2), [3, 3, 4, 8], Math.sqrt(6 / (36 + 72))],
      [new initializers.HeUniform(3), [50, 30], Math.sqrt(6 / 50)],
      [new initializers.LecunUniform(4), [50, 30], Math.sqrt(3 / 50)],
      [new initializers.VarianceScaling({ scale: 0.5, mode: 'fan_out', distribution: 'uniform', seed: 5 }), [50, 30], Math.sqrt(1.5 / 30)],
    ];
    for (const [init, shape, limit] of cases) {
      withTensor(init.apply(shape), (t) => {
        const s = stats(t);
        expect(s.max).toBeLessThanOrEqual(limit);
        expect(s.min).toBeGreaterThanOrEqual(-limit);
        expect(s.max).toBeGreaterThan(0.9 * limit);
        expect(Math.abs(s.std - limit / Math.sqrt(3))).toBeLessThan(0.05 * limit);
      });
    }
  });

  it('normal variants have stddev sqrt(scale / n) (after truncation) and truncate at 2 sigma', () => {
    const cases: [initializers.VarianceScaling, number[], number, boolean][] = [
      [new initializers.GlorotNormal(1), [200, 100], Math.sqrt(2 / 300), true],
      [new initializers.HeNormal(2), [200, 100], Math.sqrt(2 / 200), true],
      [new initializers.LecunNormal(3), [200, 100], Math.sqrt(1 / 200), true],
      [new initializers.VarianceScaling({ scale: 2, distribution: 'untruncated_normal', seed: 4 }), [200, 100], Math.sqrt(2 / 200), false],
    ];
    for (const [init, shape, std, truncated] of cases) {
      withTensor(init.apply(shape), (t) => {
        const s = stats(t);
        expect(Math.abs(s.mean)).toBeLessThan(0.05 * std);
        expect(Math.abs(s.std - std)).toBeLessThan(0.03 * std);
        if (truncated) expect(Math.max(s.max, -s.min)).toBeLessThanOrEqual((2 * std) / 0.87962566103423978 + 1e-6);
      });
    }
  });

  it('VarianceScaling validates its arguments and maps "normal" to "truncated_normal"', () => {
    expect(new initializers.VarianceScaling({ distribution: 'normal' }).distribution).toBe('truncated_normal');
    expect(() => new initializers.VarianceScaling({ scale: 0 })).toThrow(/scale/);
    expect(() => new initializers.VarianceScaling({ mode: 'fan_x' as never })).toThrow(/mode/);
    expect(() => new initializers.VarianceScaling({ distribution: 'cauchy' as never })).toThrow(/distribution/);
  });
});

describe('Orthogonal', () => {
  it('householderQR factors a matrix (Q has orthonormal columns, QR = A)', () => {
    const a = Float64Array.from([2, -1, 0, 1, 3, 1, 4, 0, -2, 1, 1, 1]); // 4 x 3
    const { q, rDiag } = householderQR(a, 4, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 4; k++) dot += q[k * 3 + i]! * q[k * 3 + j]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    // |R_00| = ||A[:, 0]||.
    expect(Math.abs(rDiag[0]!)).toBeCloseTo(Math.sqrt(4 + 1 + 16 + 1), 10);
  });

  it('gives orthonormal columns (tall) or rows (wide), scaled by gain, for any rank >= 2', () => {
    const gram = (t: Tensor, rows: number, cols: number, byRows: boolean) => {
      const d = t.dataSync();
      const n = byRows ? rows : cols;
      const out: number[][] = [];
      for (let i = 0; i < n; i++) {
        out.push([]);
        for (let j = 0; j < n; j++) {
          let s = 0;
          const m = byRows ? cols : rows;
          for (let k = 0; k < m; k++) s += byRows ? d[i * cols + k]! * d[j * cols + k]! : d[k * cols + i]! * d[k * cols + j]!;
          out[i]!.push(s);
        }
      }
      return out;
    };
    const eye = (n: number, g = 1) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? g : 0)));
    withTensor(new initializers.Orthogonal({ seed: 1 }).apply([6, 4]), (t) => expectAllClose(gram(t, 6, 4, false), eye(4), { atol: 1e-5 }));
    withTensor(new initializers.Orthogonal({ seed: 2 }).apply([3, 7]), (t) => expectAllClose(gram(t, 3, 7, true), eye(3), { atol: 1e-5 }));
    withTensor(new initializers.Orthogonal(2, 3).apply([5, 5]), (t) => expectAllClose(gram(t, 5, 5, false), eye(5, 4), { atol: 1e-5 }));
    withTensor(new initializers.Orthogonal({ seed: 4 }).apply([2, 3, 4]), (t) => {
      expect(t.shape).toEqual([2, 3, 4]);
      expectAllClose(gram(t, 6, 4, false), eye(4), { atol: 1e-5 });
    });
    expect(() => new initializers.Orthogonal().apply([4])).toThrow(/two-dimensional/);
  });

  it('is reproducible with a seed', () => {
    tidy(() => {
      expectAllClose(new initializers.Orthogonal({ seed: 9 }).apply([4, 4]), new initializers.Orthogonal({ seed: 9 }).apply([4, 4]), { atol: 0 });
    });
  });
});

describe('identifiers and serialization', () => {
  it('resolves Keras names, aliases and camelCase', () => {
    const cases: [string, new (...a: never[]) => initializers.Initializer][] = [
      ['zeros', initializers.Zeros],
      ['zero', initializers.Zeros],
      ['ones', initializers.Ones],
      ['constant', initializers.Constant],
      ['identity', initializers.Identity],
      ['uniform', initializers.RandomUniform],
      ['normal', initializers.RandomNormal],
      ['random_normal', initializers.RandomNormal],
      ['truncated_normal', initializers.TruncatedNormal],
      ['variance_scaling', initializers.VarianceScaling],
      ['glorot_uniform', initializers.GlorotUniform],
      ['glorotUniform', initializers.GlorotUniform],
      ['GlorotUniform', initializers.GlorotUniform],
      ['glorot_normal', initializers.GlorotNormal],
      ['he_normal', initializers.HeNormal],
      ['heUniform', initializers.HeUniform],
      ['lecun_normal', initializers.LecunNormal],
      ['lecun_uniform', initializers.LecunUniform],
      ['orthogonal', initializers.Orthogonal],
    ];
    for (const [name, cls] of cases) expect(initializers.get(name)).toBeInstanceOf(cls);
    expect(initializers.get('glorot_uniform')).not.toBe(initializers.get('glorot_uniform'));
  });

  it('serializes like Keras 3.15 (fixtures) and round-trips', () => {
    const lstm = readFixtureJson<{ config: { layers: { config: Config }[] } }>('lstm', 'keras_config.json');
    const lstm1 = lstm.config.layers.find((l) => l.config.name === 'lstm_1')!.config;
    const emb = lstm.config.layers.find((l) => l.config.name === 'embedding')!.config;
    const strip = (o: Config) => {
      const { shared_object_id: _, ...rest } = o;
      return rest;
    };
    expect(initializers.serialize(new initializers.GlorotUniform())).toEqual(strip(lstm1.kernel_initializer as Config));
    expect(initializers.serialize(new initializers.Orthogonal())).toEqual(strip(lstm1.recurrent_initializer as Config));
    expect(initializers.serialize(new initializers.Zeros())).toEqual(strip(lstm1.bias_initializer as Config));
    expect(initializers.serialize(new initializers.RandomUniform())).toEqual(emb.embeddings_initializer);
    expect(new initializers.RandomNormal({ seed: 3 }).getConfig()).toEqual({ seed: 3, mean: 0, stddev: 0.05 });
    expect(new initializers.VarianceScaling().getConfig()).toEqual({
      seed: null,
      scale: 1,
      mode: 'fan_in',
      distribution: 'truncated_normal',
      input_axes: null,
      output_axes: null,
    });
    const all: initializers.Initializer[] = [
      new initializers.Constant(4),
      new initializers.Identity(2),
      new initializers.RandomNormal(1, 2, 3),
      new initializers.TruncatedNormal(0, 1, 4),
      new initializers.RandomUniform(-1, 1, 5),
      new initializers.VarianceScaling(2, 'fan_avg', 'uniform', 6),
      new initializers.HeNormal(7),
      new initializers.Orthogonal(1.5, 8),
    ];
    for (const init of all) {
      const again = initializers.deserialize(JSON.parse(JSON.stringify(initializers.serialize(init))));
      expect(again.constructor).toBe(init.constructor);
      expect(again.getConfig()).toEqual(init.getConfig());
      tidy(() => expectAllClose(again.apply([3, 3]), init.apply([3, 3]), { atol: 0 }));
    }
    // Keras' legacy class names.
    expect(initializers.deserialize({ module: 'keras.initializers', class_name: 'OrthogonalInitializer', config: { gain: 2, seed: 1 }, registered_name: null })).toBeInstanceOf(initializers.Orthogonal);
  });

  it('leaves no tensors behind', async () => {
    const leaked = await tensorLeak(() => {
      for (const init of [new initializers.Identity(2), new initializers.Orthogonal({ seed: 1 }), new initializers.GlorotNormal(1)]) {
        init.apply([4, 4]).dispose();
      }
    });
    expect(leaked).toBe(0);
  });
});
