import { type KerasTensor, ShapeError, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { GroupNormalization } from './group-normalization';

/** float64 reference for channels-last x (b, s, c) with `g` groups. */
function reference(x: number[][][], g: number, eps: number, gamma: number[], beta: number[]): number[][][] {
  const c = x[0]![0]!.length;
  const size = c / g;
  return x.map((sample) => {
    const out = sample.map((r) => [...r]);
    for (let k = 0; k < g; k++) {
      const vals = sample.flatMap((r) => r.slice(k * size, (k + 1) * size));
      const m = vals.reduce((s, v) => s + v, 0) / vals.length;
      const v = vals.reduce((s, a) => s + (a - m) ** 2, 0) / vals.length;
      sample.forEach((r, i) => {
        for (let j = k * size; j < (k + 1) * size; j++) out[i]![j] = ((r[j]! - m) / Math.sqrt(v + eps)) * gamma[j]! + beta[j]!;
      });
    }
    return out;
  });
}

describe('GroupNormalization', () => {
  it('normalizes groups of channels (float64 reference), channels last and first', () => {
    const gn = new GroupNormalization(2);
    const x = randomTensor([2, 3, 4], 6, -2, 2);
    tidy(() => gn.apply(x));
    const gamma = [1, 2, -1, 0.5];
    const beta = [0.1, 0, -0.3, 0.2];
    gn.setWeights([tensor(gamma), tensor(beta)]);
    tidy(() => expectAllClose(gn.apply(x), reference(x.arraySync() as number[][][], 2, 1e-3, gamma, beta), { atol: 1e-4 }));
    // axis=1 on the transposed input gives the transposed result.
    const first = new GroupNormalization({ groups: 2, axis: 1 });
    tidy(() => {
      const xt = ops.transpose(x, [0, 2, 1]);
      first.apply(xt);
      first.setWeights([tensor(gamma), tensor(beta)]);
      expectAllClose(first.apply(xt), ops.transpose(gn.apply(x), [0, 2, 1]), { atol: 1e-5 });
    });
    const all = new GroupNormalization({ groups: -1 });
    tidy(() => all.apply(x));
    expect(all.groups).toBe(4);
    x.dispose();
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const gn = new GroupNormalization({ groups: 2, gammaInitializer: 'random_normal', betaInitializer: 'random_normal' });
    const x = randomTensor([2, 2, 4], 3);
    tidy(() => gn.apply(x));
    expect(gradientError((t) => projectedSum(gn.apply(t)), [x], 1e-2)).toBeLessThan(2e-2);
    expect(weightGradError(gn, x)).toBeLessThan(1e-2);
    x.dispose();
  });

  it('config has Keras keys and defaults and round-trips', () => {
    const gn = new GroupNormalization({ groups: 2 });
    const x = randomTensor([2, 4]);
    const config = gn.getConfig();
    expect(Object.keys(config).sort()).toEqual(
      ['name', 'trainable', 'dtype', 'groups', 'axis', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer',
        'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint'].sort(),
    );
    const d = new GroupNormalization();
    expect([d.groups, d.axis, d.epsilon, d.center, d.scale]).toEqual([32, -1, 1e-3, true, true]);
    const clone = cloneWithWeights(gn, x);
    expect(clone.getConfig()).toEqual({ ...gn.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), gn.apply(x), { atol: 0 }));
    x.dispose();
  });

  it('shapes, errors and leaks', async () => {
    const gn = new GroupNormalization({ groups: 2, name: 'probe_gn' });
    const x = randomTensor([2, 3, 4]);
    tidy(() => {
      expect(gn.apply(x).shape).toEqual(gn.computeOutputShape([2, 3, 4]));
    });
    expect(() => tidy(() => gn.apply(randomTensor([2, 3, 6])))).toThrow(ShapeError);
    expect(() => tidy(() => gn.apply(randomTensor([2, 3, 6])))).toThrow(/probe_gn.*\(None, None, 4\).*\(2, 3, 6\)/);
    expect(() => tidy(() => new GroupNormalization({ groups: 3, name: 'g3' }).apply(x))).toThrow(/g3.*groups \(3\)/);
    expect(() => tidy(() => new GroupNormalization({ groups: 8 }).apply(x))).toThrow(/cannot be more/);
    expect((new GroupNormalization(2).apply(Input({ shape: [5, 4] })) as KerasTensor).shape).toEqual([null, 5, 4]);
    expect(await tensorLeak(() => gn.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
