import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Nadam } from './nadam';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, pow32, type RefConfig, reference, runProblem, TOL, variableNames, zeros, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

/**
 * Keras 3's Nadam in float64: once per update `P *= u(t)`, then per variable
 * m += (g-m)(1-b1); v += (g²-v)(1-b2); m̂ = u(t+1)·m/(1 - P·u(t+1)) + (1-u(t))·g/(1-P);
 * w -= lr·m̂/(sqrt(v/(1-b2^t)) + eps), with u(s) = b1(1 - 0.5·0.96^s), t = step + 1.
 * Powers use float32-rounded bases, as Keras' float32 `ops.power` does.
 */
function nadamReference(b1: number, b2: number, eps: number): RefConfig & { product: () => number } {
  let product = 1;
  const u = (s: number) => b1 * (1 - 0.5 * pow32(0.96, s));
  return {
    lr: 0.1,
    product: () => product,
    initSlots: (_, w) => ({ m: zeros(w), v: zeros(w) }),
    beforeUpdate: (step) => {
      product *= u(step + 1);
    },
    rule: (w, g, s, { step, lr }) => {
      const t = step + 1;
      const ut = u(t);
      const ut1 = u(t + 1);
      const b2Power = pow32(b2, t);
      for (let k = 0; k < w.length; k++) {
        s['m']![k]! += (g[k]! - s['m']![k]!) * (1 - b1);
        s['v']![k]! += (g[k]! ** 2 - s['v']![k]!) * (1 - b2);
        const mHat = (ut1 * s['m']![k]!) / (1 - product * ut1) + ((1 - ut) * g[k]!) / (1 - product);
        w[k] = w[k]! - (lr * mHat) / (Math.sqrt(s['v']![k]! / (1 - b2Power)) + eps);
      }
    },
  };
}

describe('Nadam', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Nadam();
    expect(opt.getConfig()).toEqual({
      name: 'nadam',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      beta_1: 0.9,
      beta_2: 0.999,
      epsilon: 1e-7,
    });
    opt.dispose();
  });

  it('five steps match a float64 reference; the momentum product is the last variable', () => {
    const opt = new Nadam(0.1);
    const { values, leaked } = runProblem(opt, 5);
    const cfg = nadamReference(0.9, 0.999, 1e-7);
    const ref = reference(cfg, 5);
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
      'u_product',
    ]);
    expectAllClose(opt.variables[6]!.value, cfg.product(), TOL);
    opt.dispose();
  });

  it('with useEma: the moving averages match too', () => {
    const opt = new Nadam(0.1, { useEma: true, emaMomentum: 0.7, beta1: 0.8, beta2: 0.9, epsilon: 1e-4 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ ...nadamReference(0.8, 0.9, 1e-4), useEma: true, emaMomentum: 0.7 }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(variableNames(opt).slice(2, 4)).toEqual(['dense_bias_average', 'dense_kernel_average']);
    expectAllClose(opt.variables[2]!.value, ref.averages[0]!, TOL);
    expectAllClose(opt.variables[3]!.value, ref.averages[1]!, TOL);
    opt.dispose();
  });

  it('gradient accumulation (N = 3): the product advances once per update', () => {
    const opt = new Nadam(0.1, { gradientAccumulationSteps: 3 });
    const { values, leaked } = runProblem(opt, 6);
    const cfg = nadamReference(0.9, 0.999, 1e-7);
    const ref = reference({ ...cfg, gradientAccumulationSteps: 3 }, 6);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expectAllClose(opt.variables.at(-1)!.value, cfg.product(), TOL);
    opt.dispose();
  });

  it('config round trip, registration and bad options', () => {
    const opt = new Nadam({ learningRate: 0.5, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, useEma: true });
    const again = Nadam.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('nadam');
    expect(g).toBeInstanceOf(Nadam);
    expect(get('Nadam')).toBeInstanceOf(Nadam);
    expect(() => new Nadam({ amsgrad: true } as never)).toThrow(/Nadam: argument\(s\) not recognized: amsgrad/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Nadam(0.5);
    expectKerasSingleStep(single, [0.4686, 1.4686, 2.4686, 3.4686]);
    const opt = new Nadam(0.5, { beta1: 0.5, beta2: 0.67, epsilon: 1e-5 });
    expectKerasGolden(opt, [
      [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
      [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
      [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
      [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
      [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
    ]);
    single.dispose();
    opt.dispose();
  });
});
