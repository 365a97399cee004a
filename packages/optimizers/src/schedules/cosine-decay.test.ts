import { Variable, deserializeKerasObject, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from '../sgd';
import { CosineDecay } from './cosine-decay';
import { deserialize, serialize } from './learning-rate-schedule';

interface Ref {
  init: number;
  decaySteps: number;
  alpha?: number;
  warmupTarget?: number | null;
  warmupSteps?: number;
}

// Float64 reference of Keras 3's CosineDecay (linear warmup, then cosine decay).
function reference({ init, decaySteps, alpha = 0, warmupTarget = null, warmupSteps = 0 }: Ref, step: number): number {
  const decay = (s: number, from: number) => from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * s) / decaySteps)) + alpha);
  if (warmupTarget == null) return decay(Math.min(step, decaySteps), init);
  const s = Math.min(step, decaySteps + warmupSteps);
  if (s < warmupSteps) return init + (warmupTarget - init) * (s / warmupSteps);
  return decay(s - warmupSteps, warmupTarget);
}

// float32 cos(pi * x) near its zero crossings and 1 + cos(...) near 0 lose digits relative to
// the value; the absolute error stays at float32 eps times the rate's scale.
const tol = (scale: number) => ({ rtol: 1e-6, atol: 2e-7 * scale });
const STEPS = [0, 1, 10, 25, 49, 50, 51, 75, 99, 100, 101, 150, 1000];

describe('CosineDecay', () => {
  it('without warmup: half cosine from initial to alpha * initial, flat after decaySteps', () => {
    const s = new CosineDecay(0.1, 100);
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference({ init: 0.1, decaySteps: 100 }, t)),
      tol(0.1),
    );
    // By hand: 0.1 at step 0, 0.05 halfway, 0 from step 100 on.
    expectAllClose([got[0]!, got[5]!, got[9]!, got[12]!], [0.1, 0.05, 0, 0], tol(0.1));
  });

  it('alpha is the floor as a fraction of the initial rate', () => {
    const cfg = { init: 2, decaySteps: 40, alpha: 0.1 };
    const s = new CosineDecay(2, 40, { alpha: 0.1 });
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference(cfg, t)),
      tol(2),
    );
    expectAllClose(got[12]!, 0.2, tol(2));
  });

  it('warmup: linear from initial to warmupTarget over warmupSteps, then cosine from warmupTarget', () => {
    const cfg = { init: 0, decaySteps: 100, alpha: 0.05, warmupTarget: 0.1, warmupSteps: 50 };
    const s = new CosineDecay({ initialLearningRate: 0, decaySteps: 100, alpha: 0.05, warmupTarget: 0.1, warmupSteps: 50 });
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference(cfg, t)),
      tol(0.1),
    );
    // By hand: step 25 is halfway up (0.05); step 50 starts the decay at the target; step 150 and
    // later sit at alpha * target.
    expectAllClose([got[3]!, got[5]!, got[11]!, got[12]!], [0.05, 0.1, 0.005, 0.005], tol(0.1));
  });

  it('warmup from a non-zero initial rate, and downward warmup', () => {
    for (const [init, target] of [
      [0.01, 0.1],
      [0.5, 0.1],
    ] as const) {
      const cfg = { init, decaySteps: 30, warmupTarget: target, warmupSteps: 7 };
      const s = new CosineDecay(init, 30, { warmupTarget: target, warmupSteps: 7 });
      const steps = [0, 1, 3, 6, 7, 8, 20, 36, 37, 38, 500];
      expectAllClose(
        steps.map((t) => s.apply(t)),
        steps.map((t) => reference(cfg, t)),
        tol(0.5),
      );
    }
  });

  it('a warmupTarget with warmupSteps 0 decays from the target at once (no 0/0)', () => {
    const cfg = { init: 1, decaySteps: 10, warmupTarget: 0.2 };
    const s = new CosineDecay(1, 10, { warmupTarget: 0.2 });
    const steps = [0, 1, 5, 10, 11];
    const got = steps.map((t) => s.apply(t));
    expect(got.every(Number.isFinite)).toBe(true);
    expectAllClose(
      got,
      steps.map((t) => reference(cfg, t)),
      tol(1),
    );
    expectAllClose(got[0]!, 0.2, tol(1));
  });

  it('takes an int32 tensor step, returns a float32 scalar tensor and leaks nothing', () => {
    const cfg = { init: 0.001, decaySteps: 20, warmupTarget: 0.01, warmupSteps: 5 };
    const s = new CosineDecay(0.001, 20, { warmupTarget: 0.01, warmupSteps: 5 });
    const before = memory().numTensors;
    for (const t of [0, 4, 5, 6, 25, 26]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expect(lr.dtype).toBe('float32');
      expect(lr.shape).toEqual([]);
      expectAllClose(lr, reference(cfg, t), tol(0.01));
      lr.dispose();
      step.dispose();
    }
    s.apply(3);
    new CosineDecay(1, 3).apply(1);
    expect(memory().numTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => new CosineDecay(0.1, 0)).toThrow(/CosineDecay: argument `decaySteps` must be > 0. Received: decaySteps=0/);
    expect(() => new CosineDecay(0.1, -3)).toThrow(/decaySteps=-3/);
    expect(() => new CosineDecay({ decaySteps: 10 } as never)).toThrow(/CosineDecay.*`initialLearningRate`/);
    expect(() => new CosineDecay(0.1, 10, { warmupTarget: 'high' as never })).toThrow(/CosineDecay.*`warmupTarget`/);
    expect(() => new CosineDecay(0.1, 10, { warmup_steps: 5 } as never)).toThrow(/warmup_steps/);
  });

  it('config has Keras keys and defaults; round trip through fromConfig and (de)serialize', () => {
    const s = new CosineDecay(0.1, 1000);
    expect(s.getConfig()).toEqual({
      initial_learning_rate: 0.1,
      decay_steps: 1000,
      alpha: 0.0,
      name: 'CosineDecay',
      warmup_target: null,
      warmup_steps: 0,
    });
    expect(CosineDecay.fromConfig(s.getConfig()).getConfig()).toEqual(s.getConfig());
    // As Keras 3 writes it (JSON, with null for None).
    const keras = JSON.parse(
      '{"module": "keras.optimizers.schedules", "class_name": "CosineDecay", "config": {"initial_learning_rate": 0.0, ' +
        '"decay_steps": 1000, "alpha": 0.0, "name": "CosineDecay", "warmup_target": 0.1, "warmup_steps": 100}, "registered_name": null}',
    );
    const back = deserializeKerasObject<CosineDecay>('schedule', keras);
    expect(back).toBeInstanceOf(CosineDecay);
    expect(back.getConfig()).toEqual(keras.config);
    expect(serialize(back)).toEqual(keras);
    expectAllClose(back.apply(40), 0.04, tol(0.1));
    expect(deserialize(serialize(s)).getConfig()).toEqual(s.getConfig());
  });

  it('drives SGD: the rate at iterations 0, 1, 2; restored from the optimizer config', () => {
    const cfg = { init: 0.1, decaySteps: 2, warmupTarget: 0.5, warmupSteps: 1 };
    const opt = new SGD(new CosineDecay(0.1, 2, { warmupTarget: 0.5, warmupSteps: 1 }));
    const w = new Variable({ initializer: [1, -2], name: 'w' });
    const g = [0.5, 1];
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const gt = tensor(g);
      opt.apply([gt], [w]);
      gt.dispose();
    }
    expect(memory().numTensors).toBe(before);
    // Rates: 0.1 (warmup start), 0.5 (target), 0.25 (half the cosine).
    const lrSum = 0.1 + 0.5 + 0.25;
    expectAllClose(w.value, [1 - g[0]! * lrSum, -2 - g[1]! * lrSum], { rtol: 1e-6, atol: 1e-7 });
    expect(opt.learningRate).toBeCloseTo(reference(cfg, 3), 7);

    const config = opt.getConfig();
    const again = SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(CosineDecay);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
    opt.dispose();
    again.dispose();
  });
});
