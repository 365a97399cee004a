import { Variable, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adafactor } from './adafactor';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, type RefConfig, TOL, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const rms = (xs: number[]) => Math.sqrt(mean(xs.map((x) => x * x)));

/**
 * Keras 3's Adafactor in float64 (t = step + 1): rho = min(lr, 1/sqrt(t)); alpha = max(eps2, rms(w))·rho;
 * s = g² + eps1; b = 1 - t^decay; rank 2: r = b·r + (1-b)·rowmean(s), c = b·c + (1-b)·colmean(s),
 * v[i][j] = r[i]/mean(r)·c[j]; rank 1: v = b·v + (1-b)·s; u = g/sqrt(v); w -= alpha·u/max(1, rms(u)/clip).
 */
function adafactorReference(lr: number, decay = -0.8, eps1 = 1e-30, eps2 = 1e-3, clip = 1): RefConfig {
  return {
    lr,
    initSlots: (shape, w) => ({ r: Array(shape[0]!).fill(0), c: Array(shape[1] ?? 0).fill(0), v: zeros(w) }),
    rule: (w, g, s, { step, shape }) => {
      const t = step + 1;
      const rho = Math.min(lr, 1 / Math.sqrt(t));
      const alpha = Math.max(eps2, rms(w)) * rho;
      const sq = g.map((x) => x * x + eps1);
      const b = 1 - t ** decay;
      if (shape.length === 2) {
        const [rows, cols] = shape as [number, number];
        for (let i = 0; i < rows; i++) s['r']![i] = b * s['r']![i]! + (1 - b) * mean(sq.slice(i * cols, (i + 1) * cols));
        for (let j = 0; j < cols; j++) {
          s['c']![j] = b * s['c']![j]! + (1 - b) * mean(Array.from({ length: rows }, (_, i) => sq[i * cols + j]!));
        }
        const rMean = mean(s['r']!);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) s['v']![i * cols + j] = (s['r']![i]! / rMean) * s['c']![j]!;
      } else {
        for (let k = 0; k < w.length; k++) s['v']![k] = b * s['v']![k]! + (1 - b) * sq[k]!;
      }
      const u = g.map((x, k) => x / Math.sqrt(s['v']![k]!));
      const scale = Math.max(1, rms(u) / clip);
      for (let k = 0; k < w.length; k++) w[k] = w[k]! - (alpha * u[k]!) / scale;
    },
  };
}

describe('Adafactor', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Adafactor();
    expect(opt.getConfig()).toEqual({
      name: 'adafactor',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      beta_2_decay: -0.8,
      epsilon_1: 1e-30,
      epsilon_2: 1e-3,
      clip_threshold: 1,
      relative_step: true,
    });
    opt.dispose();
  });

  it('five steps match a float64 reference (the rate is capped at 1/sqrt(t))', () => {
    const opt = new Adafactor(0.8);
    const { values, leaked } = runProblem(opt, 5);
    const ref = reference(adafactorReference(0.8), 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    // Per variable: r, c (named like the variable; scalar placeholders below rank 2), velocity.
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'bias',
      'bias',
      'dense_bias_velocity',
      'kernel',
      'kernel',
      'dense_kernel_velocity',
    ]);
    expect(opt.variables.map((v) => v.shape)).toEqual([[], [], [], [], [3], [2], [2], [2, 2]]);
    expectAllClose(opt.variables[5]!.value, ref.slots[1]!['r']!, TOL);
    expectAllClose(opt.variables[6]!.value, ref.slots[1]!['c']!, TOL);
    opt.dispose();
  });

  it('update clipping, other decay/epsilons, and clipnorm', () => {
    const opt = new Adafactor(0.05, { clipThreshold: 0.5, beta2Decay: -0.5, epsilon1: 1e-3, epsilon2: 0.5, clipnorm: 0.3 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ ...adafactorReference(0.05, -0.5, 1e-3, 0.5, 0.5), clipnorm: 0.3 }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    opt.dispose();
  });

  it('gradient accumulation (N = 2): t counts updates', () => {
    const opt = new Adafactor(0.8, { gradientAccumulationSteps: 2 });
    const { values, leaked } = runProblem(opt, 6);
    const ref = reference({ ...adafactorReference(0.8), gradientAccumulationSteps: 2 }, 6);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    opt.dispose();
  });

  it('config round trip, registration and bad options', () => {
    const opt = new Adafactor({ learningRate: 0.5, beta2Decay: -0.6, epsilon1: 1e-20, epsilon2: 1e-2, clipThreshold: 2, relativeStep: false });
    const again = Adafactor.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('adafactor');
    expect(g).toBeInstanceOf(Adafactor);
    expect(get('Adafactor')).toBeInstanceOf(Adafactor);
    expect(() => new Adafactor({ beta2: 0.9 } as never)).toThrow(/Adafactor: argument\(s\) not recognized: beta2/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Adafactor(0.5);
    expectKerasSingleStep(single, [-0.3693, 0.6307, 1.6307, 2.6307]);
    const opt = new Adafactor(0.5, { beta2Decay: -0.65, epsilon1: 1e-15, epsilon2: 1e-4, clipThreshold: 0.9, relativeStep: false });
    // Keras' 2-D single step (factored second moments).
    const single2d = new Adafactor(0.5);
    const w = new Variable({ initializer: [[1, 2], [3, 4]], name: 'w' });
    const g = tensor([[1, 6], [7, 2]]);
    single2d.apply([g], [w]);
    expectAllClose(w.value, [[0.7007, -0.0081], [1.2492, 3.4407]], { rtol: 1e-4, atol: 1e-4 });
    for (const x of [single2d, w, g]) x.dispose();
    expectKerasGolden(opt, [
      [0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55],
      [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
      [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
      [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
      [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545],
    ]);
    single.dispose();
    opt.dispose();
  });
});
