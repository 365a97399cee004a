import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam';
import { AdamW } from './adamw';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, pow32, type RefRule, reference, runProblem, TOL, variableNames, zeros, expectKerasGolden, expectKerasSingleStep } from './test-helpers';

// Keras 3's Adam: m += (g-m)(1-b1); v += (g²-v)(1-b2); (AMSGrad: vh = max(vh, v));
// w -= lr·sqrt(1-b2^t)/(1-b1^t) · m / (sqrt(v) + eps), t = step + 1. The powers use the betas
// rounded to float32 as Keras does (`ops.power` on a float32 beta): 1 - 0.999^t is ill-conditioned.
const adamRule =
  (b1: number, b2: number, eps: number, amsgrad: boolean): RefRule =>
  (w, g, s, { step, lr }) => {
    const t = step + 1;
    const alpha = (lr * Math.sqrt(1 - pow32(b2, t))) / (1 - pow32(b1, t));
    for (let k = 0; k < w.length; k++) {
      s['m']![k]! += (g[k]! - s['m']![k]!) * (1 - b1);
      s['v']![k]! += (g[k]! ** 2 - s['v']![k]!) * (1 - b2);
      let v = s['v']![k]!;
      if (amsgrad) {
        s['vh']![k] = Math.max(s['vh']![k]!, v);
        v = s['vh']![k]!;
      }
      w[k] = w[k]! - (alpha * s['m']![k]!) / (Math.sqrt(v) + eps);
    }
  };
const adamSlots = (_: number[], w: number[]) => ({ m: zeros(w), v: zeros(w), vh: zeros(w) });

describe('AdamW', () => {
  it('is Adam with weight decay 0.004 by default', () => {
    const opt = new AdamW();
    expect(opt).toBeInstanceOf(Adam);
    expect(opt.getConfig()).toEqual({
      name: 'adamw',
      learning_rate: expect.closeTo(0.001, 8),
      ...BASE_CONFIG_DEFAULTS,
      weight_decay: 0.004,
      beta_1: 0.9,
      beta_2: 0.999,
      epsilon: 1e-7,
      amsgrad: false,
    });
    opt.dispose();
  });

  it('four steps match a float64 reference (decoupled decay before each Adam step)', () => {
    const opt = new AdamW(0.1, { weightDecay: 0.3 });
    const { values, leaked } = runProblem(opt, 4);
    const ref = reference({ lr: 0.1, weightDecay: 0.3, rule: adamRule(0.9, 0.999, 1e-7, false), initSlots: adamSlots }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    opt.dispose();
  });

  it('AMSGrad, custom betas and the default decay', () => {
    const opt = new AdamW({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 1e-4, amsgrad: true });
    const { values } = runProblem(opt, 5);
    const ref = reference({ lr: 0.05, weightDecay: 0.004, rule: adamRule(0.8, 0.95, 1e-4, true), initSlots: adamSlots }, 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(variableNames(opt)).toEqual([
      'iteration',
      'learning_rate',
      'dense_bias_momentum',
      'dense_bias_velocity',
      'dense_kernel_momentum',
      'dense_kernel_velocity',
      'dense_bias_velocity_hat',
      'dense_kernel_velocity_hat',
    ]);
    opt.dispose();
  });

  it('excludeFromWeightDecay applies to AdamW', () => {
    const opt = new AdamW(0.1, { weightDecay: 0.5 });
    opt.excludeFromWeightDecay({ varNames: ['kernel'] });
    const { values } = runProblem(opt, 3);
    const decayed = reference({ lr: 0.1, weightDecay: 0.5, rule: adamRule(0.9, 0.999, 1e-7, false), initSlots: adamSlots }, 3);
    const plain = reference({ lr: 0.1, rule: adamRule(0.9, 0.999, 1e-7, false), initSlots: adamSlots }, 3);
    expectAllClose(values[0]!, decayed.weights[0]!, TOL);
    expectAllClose(values[1]!, plain.weights[1]!, TOL);
    opt.dispose();
  });

  it('refuses a null weightDecay', () => {
    expect(() => new AdamW({ weightDecay: null })).toThrow(/AdamW: argument `weightDecay` must be a number. Received: weightDecay=null/);
    expect(() => new AdamW({ momentum: 0.9 } as never)).toThrow(/AdamW: argument\(s\) not recognized: momentum/);
  });

  it('config round trip and registration', () => {
    const opt = new AdamW(0.01, { weightDecay: 0.1, beta1: 0.85, amsgrad: true, clipvalue: 2 });
    const again = AdamW.fromConfig(opt.getConfig());
    expect(again).toBeInstanceOf(AdamW);
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('adamw');
    expect(g).toBeInstanceOf(AdamW);
    expect(get('AdamW')).toBeInstanceOf(AdamW);
    expect(get({ module: 'keras.optimizers', class_name: 'AdamW', config: { learning_rate: 0.2 }, registered_name: null }).getConfig()).toMatchObject({
      name: 'adamw',
      weight_decay: 0.004,
    });
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new AdamW(0.5);
    expectKerasSingleStep(single, [0.498, 1.496, 2.494, 3.492]);
    const opt = new AdamW(1, { weightDecay: 0.5, epsilon: 2 });
    expectKerasGolden(opt, [
      [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
      [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
      [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
      [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
      [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
    ]);
    single.dispose();
    opt.dispose();
  });
});
