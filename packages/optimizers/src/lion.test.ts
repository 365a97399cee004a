import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Lion } from './lion';
import { get } from './registry';
import { BASE_CONFIG_DEFAULTS, type RefConfig, TOL, reference, runProblem, variableNames, zeros, expectKerasGolden, expectKerasSingleStep, tiled } from './test-helpers';

// w -= lr·sign(b1·m + (1-b1)·g); m = b2·m + (1-b2)·g. The sign's argument is checked to stay away
// from 0 so float32 rounding cannot flip it.
function lionReference(lr: number, b1: number, b2: number): RefConfig {
  return {
    lr,
    initSlots: (_, w) => ({ m: zeros(w) }),
    rule: (w, g, s) => {
      for (let k = 0; k < w.length; k++) {
        const c = b1 * s['m']![k]! + (1 - b1) * g[k]!;
        if (Math.abs(c) < 1e-4) throw new Error(`ill-conditioned test data: sign argument ${c}`);
        w[k] = w[k]! - lr * Math.sign(c);
        s['m']![k] = b2 * s['m']![k]! + (1 - b2) * g[k]!;
      }
    },
  };
}

describe('Lion', () => {
  it('has Keras defaults and config keys', () => {
    const opt = new Lion();
    expect(opt.getConfig()).toEqual({ name: 'lion', learning_rate: expect.closeTo(0.001, 8), ...BASE_CONFIG_DEFAULTS, beta_1: 0.9, beta_2: 0.99 });
    opt.dispose();
  });

  it('five steps match a float64 reference', () => {
    const opt = new Lion(0.1, { beta1: 0.5, beta2: 0.8 });
    const { values, leaked } = runProblem(opt, 5);
    const ref = reference(lionReference(0.1, 0.5, 0.8), 5);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    expect(variableNames(opt)).toEqual(['iteration', 'learning_rate', 'dense_bias_momentum', 'dense_kernel_momentum']);
    expectAllClose(opt.variables[3]!.value, ref.slots[1]!['m']!, TOL);
    opt.dispose();
  });

  it('with clipnorm and weight decay (default betas)', () => {
    const opt = new Lion(0.05, { clipnorm: 0.2, weightDecay: 0.5 });
    const { values } = runProblem(opt, 4);
    const ref = reference({ ...lionReference(0.05, 0.9, 0.99), clipnorm: 0.2, weightDecay: 0.5 }, 4);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    opt.dispose();
  });

  it('gradient accumulation (N = 2)', () => {
    const opt = new Lion(0.1, { gradientAccumulationSteps: 2, beta1: 0.6, beta2: 0.8 });
    const { values, leaked } = runProblem(opt, 6);
    const ref = reference({ ...lionReference(0.1, 0.6, 0.8), gradientAccumulationSteps: 2 }, 6);
    ref.weights.forEach((w, i) => {
expectAllClose(values[i]!, w, TOL);
});
    expect(leaked).toBe(0);
    opt.dispose();
  });

  it('refuses beta1 outside (0, 1]', () => {
    expect(() => new Lion({ beta1: 0 })).toThrow(/Lion: argument `beta1` must be in the \[0, 1\] range.*Received: beta1=0/);
    expect(() => new Lion({ beta1: 1.5 })).toThrow(/beta1=1.5/);
    expect(() => new Lion({ epsilon: 1 } as never)).toThrow(/Lion: argument\(s\) not recognized: epsilon/);
  });

  it('config round trip and registration', () => {
    const opt = new Lion({ learningRate: 0.5, beta1: 0.8, beta2: 0.9, globalClipnorm: 1 });
    const again = Lion.fromConfig(opt.getConfig());
    expect(again.getConfig()).toEqual(opt.getConfig());
    const g = get('lion');
    expect(g).toBeInstanceOf(Lion);
    expect(get('Lion')).toBeInstanceOf(Lion);
    for (const x of [opt, again, g]) x.dispose();
  });

  it("matches the values in Keras' own tests (single step, golden sequence)", () => {
    const single = new Lion(0.5);
    expectKerasSingleStep(single, [0.5, 1.5, 2.5, 3.5]);
    const opt = new Lion();
    expectKerasGolden(opt, tiled([0.999, 0.998, 0.997, 0.996, 0.995]));
    single.dispose();
    opt.dispose();
  });
});
