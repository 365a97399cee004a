import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Ftrl } from './ftrl';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, type RefConfig, TOL, fill, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

interface FtrlRef {
  lr: number;
  power?: number;
  init?: number;
  l1?: number;
  l2?: number;
  shrinkage?: number;
  beta?: number;
}

// p = -power; g' = g + 2·shrinkage·w; n' = n + g²; z += g' - (n'^p - n^p)/lr·w;
// w = (clip(z, -l1, l1) - z) / (n'^p/lr + 2(l2 + beta/(2lr))); n = n'.
function ftrlReference({ lr, power = -0.5, init = 0.1, l1 = 0, l2 = 0, shrinkage = 0, beta = 0 }: FtrlRef): RefConfig {
  const p = -power;
  return {
    lr,
    initSlots: (_, w) => ({ n: fill(w, init), z: zeros(w) }),
    rule: (w, g, s) => {
      for (let k = 0; k < w.length; k++) {
        const n = s['n']![k]!;
        const gu = g[k]! + 2 * shrinkage * w[k]!;
        const n2 = n + g[k]! ** 2;
        s['z']![k] = s['z']![k]! + gu - ((n2 ** p - n ** p) / lr) * w[k]!;
        const z = s['z']![k]!;
        const quadratic = n2 ** p / lr + 2 * (l2 + beta / (2 * lr));
        w[k] = (Math.min(Math.max(z, -l1), l1) - z) / quadratic;
        s['n']![k] = n2;
      }
    },
  };
}

describe('Ftrl', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Ftrl();
    expect(opt.getConfig()).toEqual({
      name: 'ftrl',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      learning_rate_power: -0.5,
      initial_accumulator_value: 0.1,
      l1_regularization_strength: 0,
      l2_regularization_strength: 0,
      l2_shrinkage_regularization_strength: 0,
      beta: 0,
    });
    opt.dispose();
  });

  it('defaults: four steps match a float64 reference; accumulator and linear interleaved', () => {
    const opt = new Ftrl(0.1);
    const { values, leaked } = runProblem(opt, 4);
    const ref = reference(ftrlReference({ lr: 0.1 }), 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_accumulator',
      'dense_bias_linear',
      'dense_kernel_accumulator',
      'dense_kernel_linear',
    ]);
    expectAllClose(opt.variables[5]!.value, ref.slots[1]!['z']!, TOL);
    opt.dispose();
  });

  it('every regularizer, another power and weight decay: five steps (some weights end at exactly 0)', () => {
    const args = { lr: 0.2, power: -0.7, init: 0.3, l1: 0.3, l2: 0.1, shrinkage: 0.02, beta: 0.4 };
    const opt = new Ftrl(0.2, {
      learningRatePower: -0.7,
      initialAccumulatorValue: 0.3,
      l1RegularizationStrength: 0.3,
      l2RegularizationStrength: 0.1,
      l2ShrinkageRegularizationStrength: 0.02,
      beta: 0.4,
      weightDecay: 0.1,
    });
    const { values } = runProblem(opt, 5);
    const ref = reference({ ...ftrlReference(args), weightDecay: 0.1 }, 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    // The L1 clip is exercised: some weights end at exactly 0, others not.
    expect(ref.weights.flat().some((x) => x === 0)).toBe(true);
    expect(ref.weights.flat().filter((x) => x !== 0).length).toBeGreaterThan(2);
    opt.dispose();
  });

  it('refuses out-of-range options, naming them', () => {
    expect(() => new Ftrl({ initialAccumulatorValue: -1 })).toThrow(/Ftrl: `initialAccumulatorValue` needs to be positive or zero. Received: initialAccumulatorValue=-1/);
    expect(() => new Ftrl({ learningRatePower: 0.5 })).toThrow(/`learningRatePower` needs to be negative or zero. Received: learningRatePower=0.5/);
    expect(() => new Ftrl({ l1RegularizationStrength: -0.1 })).toThrow(/l1RegularizationStrength=-0.1/);
    expect(() => new Ftrl({ l2RegularizationStrength: -0.1 })).toThrow(/l2RegularizationStrength=-0.1/);
    expect(() => new Ftrl({ l2ShrinkageRegularizationStrength: -0.1 })).toThrow(/l2ShrinkageRegularizationStrength=-0.1/);
    expect(() => new Ftrl({ l1: 0.1 } as never)).toThrow(/Ftrl: argument\(s\) not recognized: l1/);
  });

  it('config round trip and registration', () => {
    const opt = new Ftrl({ learningRate: 0.5, learningRatePower: -1, initialAccumulatorValue: 0, l1RegularizationStrength: 0.01, beta: 1 });
    const again = Ftrl.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('ftrl');
    expect(g).toBeInstanceOf(Ftrl);
    expect(get('Ftrl')).toBeInstanceOf(Ftrl);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Ftrl(0.5);
    expectKerasSingleStep(single, [0.2218, 1.3954, 2.3651, 2.8814]);
    const opt = new Ftrl(0.05, {
        learningRatePower: -0.2,
        initialAccumulatorValue: 0.4,
        l1RegularizationStrength: 0.05,
        l2RegularizationStrength: 0.15,
        l2ShrinkageRegularizationStrength: 0.01,
        beta: 0.3,
      });
    expectKerasGolden(opt, [
      [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
      [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
      [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
      [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299],
    ]);
    single.dispose();
    opt.dispose();
  });
});
