import { memory } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad';
import { get } from './registry';
import { type RefRule, TOL, fill, reference, runProblem, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

// acc += g²; w -= lr·g / sqrt(acc + eps)
const rule =
  (eps: number): RefRule =>
  (w, g, s) => {
    for (let k = 0; k < w.length; k++) {
      s['acc']![k]! += g[k]! ** 2;
      w[k] = w[k]! - (0.1 * g[k]!) / Math.sqrt(s['acc']![k]! + eps);
    }
  };

describe('Adagrad', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Adagrad();
    expect(opt.learningRate).toBeCloseTo(0.001, 8);
    expect(opt.getConfig()).toEqual({
      name: 'adagrad',
      learning_rate: expect.closeTo(0.001, 8),
      weight_decay: null,
      clipnorm: null,
      global_clipnorm: null,
      clipvalue: null,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
      initial_accumulator_value: 0.1,
      epsilon: 1e-7,
    });
    opt.dispose();
  });

  it('four steps match a float64 reference', () => {
    const opt = new Adagrad(0.1);
    const { values, leaked } = runProblem(opt, 4);
    const ref = reference({ lr: 0.1, rule: rule(1e-7), initSlots: (_, w) => ({ acc: fill(w, 0.1) }) }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expectAllClose(opt.variables[2]!.value, ref.slots[0]!['acc']!, TOL);
    opt.dispose();
  });

  it('with clipnorm and a custom initial accumulator', () => {
    const opt = new Adagrad(0.1, { clipnorm: 0.3, initialAccumulatorValue: 0.5, epsilon: 1e-3 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ lr: 0.1, clipnorm: 0.3, rule: rule(1e-3), initSlots: (_, w) => ({ acc: fill(w, 0.5) }) }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    opt.dispose();
  });

  it('slot variables: one accumulator per variable, initialized to initialAccumulatorValue', () => {
    const opt = new Adagrad(0.1, { initialAccumulatorValue: 0.25 });
    runProblem(opt, 1);
    expect(opt.variables.map((v) => v.name)).toEqual(['iteration', 'learning_rate', 'dense_bias_accumulator', 'dense_kernel_accumulator']);
    expect(opt.variables[3]!.shape).toEqual([2, 2]);
    expectAllClose(opt.variables[2]!.value, [0.25 + 0.01, 0.25 + 0.04, 0.25 + 0.09], TOL);
    opt.dispose();
  });

  it('config round trip, registration, constructor forms', () => {
    const opt = new Adagrad({ learningRate: 0.5, initialAccumulatorValue: 0.2, epsilon: 1e-5, weightDecay: 0.1 });
    const again = Adagrad.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const a = get('adagrad');
    expect(a).toBeInstanceOf(Adagrad);
    expect(get('Adagrad')).toBeInstanceOf(Adagrad);
    const b = new Adagrad(0.3, { epsilon: 1e-4 });
    expect([b.learningRate, b.epsilon]).toEqual([expect.closeTo(0.3, 7), 1e-4]);
    expect(() => new Adagrad({ rho: 0.9 } as never)).toThrow(/Adagrad: argument\(s\) not recognized: rho/);
    for (const x of [opt, again, a, b]) x.dispose();
  });

  it('disposes everything it created', () => {
    const before = memory().numTensors;
    const opt = new Adagrad(0.1);
    runProblem(opt, 2);
    opt.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Adagrad(0.5);
    expectKerasSingleStep(single, [0.5233, 1.5007, 2.5005, 3.5061]);
    const opt = new Adagrad(0.2, { initialAccumulatorValue: 0.3, epsilon: 1e-6 });
    expectKerasGolden(opt, [
      [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
      [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
      [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
      [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
      [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
    ]);
    single.dispose();
    opt.dispose();
  });
});
