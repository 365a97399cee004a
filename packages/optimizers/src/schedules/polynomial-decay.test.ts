import { Variable, deserializeKerasObject, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from '../sgd';
import { deserialize, serialize } from './learning-rate-schedule';
import { PolynomialDecay } from './polynomial-decay';

interface Ref {
  init: number;
  decaySteps: number;
  end?: number;
  power?: number;
  cycle?: boolean;
}

// Float64 reference of Keras' PolynomialDecay.
function reference({ init, decaySteps, end = 0.0001, power = 1, cycle = false }: Ref, step: number): number {
  let ds = decaySteps;
  let s = step;
  if (cycle) ds = decaySteps * (step === 0 ? 1 : Math.ceil(step / decaySteps));
  else s = Math.min(step, decaySteps);
  return (init - end) * (1 - s / ds) ** power + end;
}

const TOL = { rtol: 1e-6, atol: 1e-9 };
const STEPS = [0, 1, 7, 49, 50, 51, 99, 100, 101, 149, 150, 151, 333, 1000];

describe('PolynomialDecay', () => {
  it('defaults: linear decay to 0.0001 over decaySteps, then flat', () => {
    const s = new PolynomialDecay(0.1, 100);
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference({ init: 0.1, decaySteps: 100 }, t)),
      TOL,
    );
    // By hand: halfway is (0.1 - 0.0001) / 2 + 0.0001; from step 100 on it stays at 0.0001.
    expectAllClose([got[4]!, got[7]!, got[13]!], [0.05005, 0.0001, 0.0001], TOL);
  });

  it('power and endLearningRate', () => {
    for (const power of [0.5, 2, 3.7]) {
      const cfg = { init: 0.5, decaySteps: 100, end: 0.01, power };
      const s = new PolynomialDecay(0.5, 100, { endLearningRate: 0.01, power });
      expectAllClose(
        STEPS.map((t) => s.apply(t)),
        STEPS.map((t) => reference(cfg, t)),
        TOL,
      );
    }
  });

  it('cycle stretches decaySteps to the next multiple (step 0 and exact multiples included)', () => {
    const cfg = { init: 1, decaySteps: 50, end: 0.1, power: 2, cycle: true };
    const s = new PolynomialDecay({ initialLearningRate: 1, decaySteps: 50, endLearningRate: 0.1, power: 2, cycle: true });
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference(cfg, t)),
      TOL,
    );
    // By hand: step 50 ends the first cycle (0.1); step 51 decays over 100 steps: 0.9 * 0.49^2 + 0.1.
    expectAllClose([got[0]!, got[4]!, got[5]!], [1, 0.1, 0.9 * 0.49 ** 2 + 0.1], TOL);
  });

  it('an increasing schedule when endLearningRate > initialLearningRate', () => {
    const s = new PolynomialDecay(0.001, 10, { endLearningRate: 0.1, power: 0.5 });
    const steps = [0, 2, 5, 10, 20];
    expectAllClose(
      steps.map((t) => s.apply(t)),
      steps.map((t) => reference({ init: 0.001, decaySteps: 10, end: 0.1, power: 0.5 }, t)),
      // (0.001 - 0.1) * 1 + 0.1 cancels in float32 (as in Keras): error ~ float32 eps * 0.1.
      { rtol: 1e-6, atol: 2e-8 },
    );
  });

  it('takes an int32 tensor step, returns a float32 scalar tensor and leaks nothing', () => {
    const s = new PolynomialDecay(0.1, 100, { cycle: true, power: 2 });
    const before = memory().numTensors;
    for (const t of [0, 37, 100, 250]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expect(lr.dtype).toBe('float32');
      expect(lr.shape).toEqual([]);
      expectAllClose(lr, reference({ init: 0.1, decaySteps: 100, power: 2, cycle: true }, t), TOL);
      lr.dispose();
      step.dispose();
    }
    s.apply(3);
    expect(memory().numTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => new PolynomialDecay(0.1, 0)).toThrow(/PolynomialDecay: argument `decaySteps` must be > 0. Received: decaySteps=0/);
    expect(() => new PolynomialDecay(0.1, -5)).toThrow(/decaySteps=-5/);
    expect(() => new PolynomialDecay({ initialLearningRate: 0.1 } as never)).toThrow(/PolynomialDecay.*`decaySteps`/);
    expect(() => new PolynomialDecay(0.1, 10, { power: Number.NaN })).toThrow(/PolynomialDecay.*`power`/);
    expect(() => new PolynomialDecay(0.1, 10, { cycle: 'yes' as never })).toThrow(/PolynomialDecay.*`cycle`/);
    expect(() => new PolynomialDecay(0.1, 10, { end_learning_rate: 0.01 } as never)).toThrow(/end_learning_rate/);
  });

  it('config has Keras keys and defaults; round trip through fromConfig and (de)serialize', () => {
    const s = new PolynomialDecay(0.1, 1000);
    expect(s.getConfig()).toEqual({
      initial_learning_rate: 0.1,
      decay_steps: 1000,
      end_learning_rate: 0.0001,
      power: 1.0,
      cycle: false,
      name: 'PolynomialDecay',
    });
    expect(PolynomialDecay.fromConfig(s.getConfig()).getConfig()).toEqual(s.getConfig());
    // The config from Keras' `deserialize` docstring.
    const keras = {
      class_name: 'PolynomialDecay',
      config: { cycle: false, decay_steps: 10000, end_learning_rate: 0.01, initial_learning_rate: 0.1, name: 'poly', power: 0.5 },
      module: 'keras.optimizers.schedules',
      registered_name: null,
    };
    const back = deserializeKerasObject<PolynomialDecay>('schedule', keras);
    expect(back).toBeInstanceOf(PolynomialDecay);
    expect(back.getConfig()).toEqual(keras.config);
    expectAllClose(back.apply(2500), reference({ init: 0.1, decaySteps: 10000, end: 0.01, power: 0.5 }, 2500), TOL);
    expect(serialize(back)).toEqual(keras);
    expect(deserialize(serialize(back))).toBeInstanceOf(PolynomialDecay);
  });

  it('drives SGD: the rate at iterations 0, 1, 2; restored from the optimizer config', () => {
    const cfg = { init: 0.3, decaySteps: 2, end: 0.05, power: 2, cycle: true };
    const opt = new SGD(new PolynomialDecay(0.3, 2, { endLearningRate: 0.05, power: 2, cycle: true }));
    const w = new Variable({ initializer: [1, -2], name: 'w' });
    const g = [0.5, 1];
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const gt = tensor(g);
      opt.apply([gt], [w]);
      gt.dispose();
    }
    expect(memory().numTensors).toBe(before);
    let lrSum = 0;
    for (let i = 0; i < 3; i++) lrSum += reference(cfg, i);
    expectAllClose(w.value, [1 - g[0]! * lrSum, -2 - g[1]! * lrSum], { rtol: 1e-6, atol: 1e-7 });
    expect(opt.learningRate).toBeCloseTo(reference(cfg, 3), 7);

    const config = opt.getConfig();
    const again = SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(PolynomialDecay);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
    opt.dispose();
    again.dispose();
  });
});
