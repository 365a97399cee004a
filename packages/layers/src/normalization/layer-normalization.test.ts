import { type KerasTensor, ShapeError, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { LayerNormalization } from './layer-normalization';

/** float64 reference: normalize each row of `rows` (mean, biased variance), then * gamma + beta. */
function reference(rows: number[][], eps: number, gamma: number[], beta: number[]): number[][] {
  return rows.map((r) => {
    const m = r.reduce((s, v) => s + v, 0) / r.length;
    const v = r.reduce((s, a) => s + (a - m) ** 2, 0) / r.length;
    return r.map((a, i) => ((a - m) / Math.sqrt(v + eps)) * gamma[i]! + beta[i]!);
  });
}

describe('LayerNormalization', () => {
  it('normalizes over the last axis with gamma and beta (float64 reference)', () => {
    const ln = new LayerNormalization();
    const x = randomTensor([3, 4], 2, -2, 2);
    tidy(() => ln.apply(x));
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 0.1, -0.2, 0.3];
    ln.setWeights([tensor(gamma), tensor(beta)]);
    tidy(() => expectAllClose(ln.apply(x), reference(x.arraySync() as number[][], 1e-3, gamma, beta), { atol: 1e-5 }));
    expect(ln.weights.map((w) => [w.name, w.shape])).toEqual([['gamma', [4]], ['beta', [4]]]);
    x.dispose();
  });

  it('normalizes over several axes; rms_scaling scales by the variance without centering (as Keras)', () => {
    const x = randomTensor([2, 3, 2], 4);
    const ln = new LayerNormalization({ axis: [1, 2], epsilon: 0 });
    tidy(() => {
      const rows = (x.arraySync() as number[][][]).map((b) => b.flat());
      const want = reference(rows, 0, new Array(6).fill(1), new Array(6).fill(0));
      expectAllClose(ln.apply(x), want.map((r) => [r.slice(0, 2), r.slice(2, 4), r.slice(4, 6)]), { atol: 1e-5 });
    });
    expect(ln.gamma!.shape).toEqual([3, 2]);
    const rms = new LayerNormalization({ rmsScaling: true, epsilon: 0 });
    tidy(() => {
      const rows = (x.arraySync() as number[][][]).flat();
      const want = rows.map((r) => {
        const m = (r[0]! + r[1]!) / 2;
        const v = ((r[0]! - m) ** 2 + (r[1]! - m) ** 2) / 2;
        return r.map((a) => a / Math.sqrt(v));
      });
      expectAllClose(rms.apply(x), [want.slice(0, 3), want.slice(3, 6)], { atol: 1e-4 });
    });
    expect(rms.weights.map((w) => w.name)).toEqual(['gamma']);
    x.dispose();
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const ln = new LayerNormalization({ gammaInitializer: 'random_normal', betaInitializer: 'random_normal' });
    const x = randomTensor([2, 4], 3);
    tidy(() => ln.apply(x));
    expect(gradientError((t) => projectedSum(ln.apply(t)), [x], 1e-2)).toBeLessThan(2e-2);
    expect(weightGradError(ln, x)).toBeLessThan(1e-2);
    x.dispose();
  });

  it('config has Keras keys (axis becomes a list once built) and round-trips', () => {
    const ln = new LayerNormalization({ name: 'ln' });
    expect(ln.getConfig().axis).toBe(-1);
    const x = randomTensor([2, 3]);
    tidy(() => ln.apply(x));
    const config = ln.getConfig();
    expect(Object.keys(config).sort()).toEqual(
      ['name', 'trainable', 'dtype', 'axis', 'epsilon', 'center', 'scale', 'rms_scaling', 'beta_initializer', 'gamma_initializer',
        'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint'].sort(),
    );
    expect([config.axis, config.epsilon, config.center, config.scale, config.rms_scaling]).toEqual([[-1], 1e-3, true, true, false]);
    const clone = cloneWithWeights(ln, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), ln.apply(x), { atol: 0 }));
    expect(() => new LayerNormalization({ axis: 'x' as never })).toThrow(/axis/);
    x.dispose();
  });

  it('shapes, errors and leaks', async () => {
    const ln = new LayerNormalization({ name: 'probe_ln' });
    const x = randomTensor([2, 3, 4]);
    tidy(() => {
      expect(ln.apply(x).shape).toEqual(ln.computeOutputShape([2, 3, 4]));
    });
    expect((ln.apply(Input({ shape: [5] })) as KerasTensor).shape).toEqual([null, 5]);
    const bad = new LayerNormalization({ axis: 3, name: 'bad_ln' });
    expect(() => tidy(() => bad.apply(randomTensor([2, 3])))).toThrow(/bad_ln.*axis 3.*\(2, 3\)/);
    expect(await tensorLeak(() => (ln.apply(x) as Tensor).dispose())).toBe(0);
    expect(ShapeError).toBeDefined();
    x.dispose();
  });
});
