import { Variable, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Lamb } from './lamb';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, type RefConfig, TOL, pow32, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep, tiled } from './test-helpers';

// m += (g-m)(1-b1); v += (g²-v)(1-b2); u = (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps);
// w -= r·lr·u with r = ||w||/||u|| when both are > 0, else 1; t = step + 1.
function lambReference(lr: number, b1: number, b2: number, eps: number): RefConfig {
  return {
    lr,
    initSlots: (_, w) => ({ m: zeros(w), v: zeros(w) }),
    rule: (w, g, s, { step }) => {
      const t = step + 1;
      const c1 = 1 - pow32(b1, t);
      const c2 = 1 - pow32(b2, t);
      const u = w.map((_, k) => {
        s['m']![k]! += (g[k]! - s['m']![k]!) * (1 - b1);
        s['v']![k]! += (g[k]! ** 2 - s['v']![k]!) * (1 - b2);
        return s['m']![k]! / c1 / (Math.sqrt(s['v']![k]! / c2) + eps);
      });
      const wNorm = Math.hypot(...w);
      const uNorm = Math.hypot(...u);
      const ratio = wNorm > 0 && uNorm > 0 ? wNorm / uNorm : 1;
      for (let k = 0; k < w.length; k++) w[k] = w[k]! - ratio * lr * u[k]!;
    },
  };
}

describe('Lamb', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Lamb();
    expect(opt.getConfig()).toEqual({
      name: 'lamb',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      beta_1: 0.9,
      beta_2: 0.999,
      epsilon: 1e-7,
    });
    opt.dispose();
  });

  it('five steps match a float64 reference', () => {
    const opt = new Lamb(0.01);
    const { values, leaked } = runProblem(opt, 5);
    const ref = reference(lambReference(0.01, 0.9, 0.999, 1e-7), 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_momentum',
      'dense_bias_velocity',
      'dense_kernel_momentum',
      'dense_kernel_velocity',
    ]);
    opt.dispose();
  });

  it('with weight decay and gradient accumulation (N = 3)', () => {
    const opt = new Lamb(0.02, { weightDecay: 0.2, gradientAccumulationSteps: 3, beta1: 0.8, beta2: 0.95 });
    const { values, leaked } = runProblem(opt, 6);
    const ref = reference({ ...lambReference(0.02, 0.8, 0.95, 1e-7), weightDecay: 0.2, gradientAccumulationSteps: 3 }, 6);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt).slice(2, 4)).toEqual(['dense_bias_gradient_accumulator', 'dense_kernel_gradient_accumulator']);
    opt.dispose();
  });

  it('a zero weight uses a trust ratio of 1 (by hand)', () => {
    const opt = new Lamb(0.1);
    const w = new Variable({ initializer: [0, 0], name: 'w' });
    const g = tensor([1, -2]);
    opt.apply([g], [w]);
    // t = 1: u = (0.1g/(1-b1)) / (sqrt(0.001g²/(1-b2)) + 1e-7) ≈ sign(g) (1 - b as float32, see pow32);
    // ||w|| = 0 so w = -0.1·u.
    const u = (x: number) => (0.1 * x) / (1 - pow32(0.9, 1)) / (Math.sqrt((0.001 * x * x) / (1 - pow32(0.999, 1))) + 1e-7);
    expectAllClose(w.value, [-0.1 * u(1), -0.1 * u(-2)], TOL);
    expectAllClose(w.value, [-0.1, 0.1], { atol: 1e-5 });
    for (const x of [opt, w, g]) x.dispose();
  });

  it('config round trip, registration and bad options', () => {
    const opt = new Lamb({ learningRate: 0.5, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    const again = Lamb.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('lamb');
    expect(g).toBeInstanceOf(Lamb);
    expect(get('Lamb')).toBeInstanceOf(Lamb);
    expect(() => new Lamb({ amsgrad: true } as never)).toThrow(/Lamb: argument\(s\) not recognized: amsgrad/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Lamb(0.5);
    expectKerasSingleStep(single, [-0.3693, 0.6306, 1.6306, 2.6306]);
    const opt = new Lamb();
    expectKerasGolden(opt, tiled([0.999, 0.9982, 0.9974, 0.9965, 0.9955]));
    single.dispose();
    opt.dispose();
  });
});
