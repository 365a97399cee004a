import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { get } from './registry';
import { RMSprop } from './rmsprop';
import { BASE_CONFIG_DEFAULTS, type RefConfig, TOL, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep, tiled } from './test-helpers';

// v = rho·v + (1-rho)·g²; centered: a = rho·a + (1-rho)·g, den = v - a² + eps, else den = v + eps;
// inc = lr·g/sqrt(den); momentum: mom = momentum·mom + inc, w -= mom; else w -= inc.
function rmsReference(lr: number, rho: number, momentum: number, eps: number, centered: boolean): RefConfig {
  return {
    lr,
    initSlots: (_, w) => ({ v: zeros(w), mom: zeros(w), a: zeros(w) }),
    rule: (w, g, s) => {
      for (let k = 0; k < w.length; k++) {
        s['v']![k] = rho * s['v']![k]! + (1 - rho) * g[k]! ** 2;
        let den = s['v']![k]! + eps;
        if (centered) {
          s['a']![k] = rho * s['a']![k]! + (1 - rho) * g[k]!;
          den = s['v']![k]! - s['a']![k]! ** 2 + eps;
        }
        const inc = (lr * g[k]!) / Math.sqrt(den);
        if (momentum > 0) {
          s['mom']![k] = momentum * s['mom']![k]! + inc;
          w[k] = w[k]! - s['mom']![k]!;
        } else {
          w[k] = w[k]! - inc;
        }
      }
    },
  };
}

describe('RMSprop', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new RMSprop();
    expect(opt.getConfig()).toEqual({
      name: 'rmsprop',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
    opt.dispose();
  });

  it('plain: four steps match a float64 reference, one velocity slot per variable', () => {
    const opt = new RMSprop(0.01);
    const { values, leaked } = runProblem(opt, 4);
    const ref = reference(rmsReference(0.01, 0.9, 0, 1e-7, false), 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual(['iteration', 'learning_rate', 'dense_bias_velocity', 'dense_kernel_velocity']);
    opt.dispose();
  });

  it('momentum and centered: five steps; slots grouped by kind (velocities, momentums, averages)', () => {
    const opt = new RMSprop(0.01, { momentum: 0.5, centered: true, rho: 0.8 });
    const { values, leaked } = runProblem(opt, 5);
    const ref = reference(rmsReference(0.01, 0.8, 0.5, 1e-7, true), 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_velocity',
      'dense_kernel_velocity',
      'dense_bias_momentum',
      'dense_kernel_momentum',
      'dense_bias_average_gradient',
      'dense_kernel_average_gradient',
    ]);
    expectAllClose(opt.variables[7]!.value, ref.slots[1]!['a']!, TOL);
    opt.dispose();
  });

  it('momentum only, with useEma (overwrite every 2 steps is not a reference feature: plain EMA)', () => {
    const opt = new RMSprop(0.02, { momentum: 0.9, useEma: true, emaMomentum: 0.5 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ ...rmsReference(0.02, 0.9, 0.9, 1e-7, false), useEma: true, emaMomentum: 0.5 }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_average',
      'dense_kernel_average',
      'dense_bias_velocity',
      'dense_kernel_velocity',
      'dense_bias_momentum',
      'dense_kernel_momentum',
    ]);
    expectAllClose(opt.variables[3]!.value, ref.averages[1]!, TOL);
    opt.dispose();
  });

  it('config round trip, registration and bad options', () => {
    const opt = new RMSprop({ learningRate: 0.5, rho: 0.8, momentum: 0.3, epsilon: 1e-6, centered: true });
    const again = RMSprop.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('rmsprop');
    expect(g).toBeInstanceOf(RMSprop);
    expect(get('RMSprop')).toBeInstanceOf(RMSprop);
    expect(() => new RMSprop({ nesterov: true } as never)).toThrow(/RMSprop: argument\(s\) not recognized: nesterov/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new RMSprop(0.5);
    expectKerasSingleStep(single, [-0.5811, 0.4189, 1.4189, 2.4189]);
    const opt = new RMSprop({ centered: true });
    expectKerasGolden(opt, tiled([0.9967, 0.9933, 0.9908, 0.9885, 0.9864]));
    single.dispose();
    opt.dispose();
  });
});
