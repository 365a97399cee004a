import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adadelta } from './adadelta';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, type RefRule, TOL, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep, tiled } from './test-helpers';

// Eg = rho·Eg + (1-rho)·g²; d = -sqrt(Ed+eps)·g/sqrt(Eg+eps); Ed = rho·Ed + (1-rho)·d²; w += lr·d
const rule =
  (rho: number, eps: number): RefRule =>
  (w, g, s, { lr }) => {
    for (let k = 0; k < w.length; k++) {
      s['eg']![k] = rho * s['eg']![k]! + (1 - rho) * g[k]! ** 2;
      const d = (-Math.sqrt(s['ed']![k]! + eps) * g[k]!) / Math.sqrt(s['eg']![k]! + eps);
      s['ed']![k] = rho * s['ed']![k]! + (1 - rho) * d * d;
      w[k] = w[k]! + lr * d;
    }
  };
const slots = (_: number[], w: number[]) => ({ eg: zeros(w), ed: zeros(w) });

describe('Adadelta', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Adadelta();
    expect(opt.getConfig()).toEqual({
      name: 'adadelta',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      rho: 0.95,
      epsilon: 1e-7,
    });
    opt.dispose();
  });

  it('four steps match a float64 reference', () => {
    const opt = new Adadelta(1, { epsilon: 1e-2 });
    const { values, leaked } = runProblem(opt, 4);
    const ref = reference({ lr: 1, rule: rule(0.95, 1e-2), initSlots: slots }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    // Interleaved per variable, as Keras creates them.
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_accumulated_grad',
      'dense_bias_accumulated_delta_var',
      'dense_kernel_accumulated_grad',
      'dense_kernel_accumulated_delta_var',
    ]);
    expectAllClose(opt.variables[5]!.value, ref.slots[1]!['ed']!, TOL);
    opt.dispose();
  });

  it('with the default epsilon, rho 0.8 and weight decay', () => {
    const opt = new Adadelta(2, { rho: 0.8, weightDecay: 0.05 });
    const { values } = runProblem(opt, 5);
    const ref = reference({ lr: 2, weightDecay: 0.05, rule: rule(0.8, 1e-7), initSlots: slots }, 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    opt.dispose();
  });

  it('config round trip, registration and bad options', () => {
    const opt = new Adadelta({ learningRate: 0.5, rho: 0.9, epsilon: 1e-6, clipnorm: 1 });
    const again = Adadelta.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('adadelta');
    expect(g).toBeInstanceOf(Adadelta);
    expect(get('Adadelta')).toBeInstanceOf(Adadelta);
    expect(() => new Adadelta({ beta1: 0.9 } as never)).toThrow(/Adadelta: argument\(s\) not recognized: beta1/);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Adadelta(0.5);
    expectKerasSingleStep(single, [0.9993, 1.9993, 2.9993, 3.9993]);
    const opt = new Adadelta(1, { rho: 0.8, epsilon: 1e-6 });
    expectKerasGolden(opt, tiled([0.9978, 0.9947, 0.9915, 0.9882, 0.9849]));
    single.dispose();
    opt.dispose();
  });
});
