import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adamax } from './adamax';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, pow32, type RefConfig, type RefRule, reference, runProblem, TOL, variableNames, zeros, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

// m += (g-m)(1-b1); u = max(b2·u, |g|); w -= lr·m / ((1 - b1^t)(u + eps)), t = step + 1
const rule =
  (b1: number, b2: number, eps: number): RefRule =>
  (w, g, s, { step, lr }) => {
    const b1Power = pow32(b1, step + 1);
    for (let k = 0; k < w.length; k++) {
      s['m']![k]! += (g[k]! - s['m']![k]!) * (1 - b1);
      s['u']![k] = Math.max(b2 * s['u']![k]!, Math.abs(g[k]!));
      w[k] = w[k]! - (lr * s['m']![k]!) / ((1 - b1Power) * (s['u']![k]! + eps));
    }
  };
const slots = (_: number[], w: number[]) => ({ m: zeros(w), u: zeros(w) });
const base: RefConfig = { lr: 0.1, rule: rule(0.9, 0.999, 1e-7), initSlots: slots };

describe('Adamax', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Adamax();
    expect(opt.getConfig()).toEqual({
      name: 'adamax',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      beta_1: 0.9,
      beta_2: 0.999,
      epsilon: 1e-7,
    });
    opt.dispose();
  });

  it('five steps match a float64 reference', () => {
    const opt = new Adamax(0.1);
    const { values, leaked } = runProblem(opt, 5);
    const ref = reference(base, 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_momentum',
      'dense_bias_norm',
      'dense_kernel_momentum',
      'dense_kernel_norm',
    ]);
    expectAllClose(opt.variables[3]!.value, ref.slots[0]!['u']!, TOL);
    opt.dispose();
  });

  it('with clipnorm and custom betas', () => {
    const opt = new Adamax(0.1, { clipnorm: 0.4, beta1: 0.5, beta2: 0.7, epsilon: 1e-3 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ ...base, clipnorm: 0.4, rule: rule(0.5, 0.7, 1e-3) }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    opt.dispose();
  });

  it('gradient accumulation (N = 2 and 3): bias correction counts updates, not calls', () => {
    for (const n of [2, 3]) {
      const opt = new Adamax(0.1, { gradientAccumulationSteps: n });
      const { values, leaked } = runProblem(opt, 6);
      const ref = reference({ ...base, gradientAccumulationSteps: n }, 6);
      ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
      expect(leaked).toBe(0);
      expect(opt.iterations.dataSync()[0]).toBe(6);
      opt.dispose();
    }
  });

  it('config round trip, registration and bad options', () => {
    const opt = new Adamax({ learningRate: 0.5, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, gradientAccumulationSteps: 4 });
    const again = Adamax.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    expect(again.getConfig()['gradient_accumulation_steps']).toBe(4);
    const g = get('adamax');
    expect(g).toBeInstanceOf(Adamax);
    expect(get('Adamax')).toBeInstanceOf(Adamax);
    expect(() => new Adamax({ amsgrad: true } as never)).toThrow(/Adamax: argument\(s\) not recognized: amsgrad/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Adamax(0.5);
    expectKerasSingleStep(single, [0.5, 1.5, 2.5, 3.5]);
    const opt = new Adamax(0.2, { beta1: 0.85, beta2: 0.95, epsilon: 1e-6 });
    expectKerasGolden(opt, [
      [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
      [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
      [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
      [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
      [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
    ]);
    single.dispose();
    opt.dispose();
  });
});
