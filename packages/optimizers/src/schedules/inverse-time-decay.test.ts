import { Variable, deserializeKerasObject, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from '../sgd';
import { InverseTimeDecay } from './inverse-time-decay';
import { deserialize, serialize } from './learning-rate-schedule';

// Float64 reference of Keras' InverseTimeDecay.
function reference(init: number, decaySteps: number, rate: number, staircase: boolean, step: number): number {
  const p = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
  return init / (1 + rate * p);
}

const TOL = { rtol: 1e-6, atol: 1e-9 };
const STEPS = [0, 1, 2, 9, 10, 11, 19, 20, 21, 99, 100, 1234, 100000];

describe('InverseTimeDecay', () => {
  it('follows initial / (1 + rate * step / decaySteps)', () => {
    const s = new InverseTimeDecay(0.1, 10, 0.5);
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference(0.1, 10, 0.5, false, t)),
      TOL,
    );
    // By hand: step 20 is 0.1 / (1 + 0.5 * 2) = 0.05.
    expectAllClose(got[7]!, 0.05, TOL);
  });

  it('staircase floors step / decaySteps (steps at and around each boundary)', () => {
    const s = new InverseTimeDecay({ initialLearningRate: 2, decaySteps: 10, decayRate: 3, staircase: true });
    const got = STEPS.map((t) => s.apply(t));
    expectAllClose(
      got,
      STEPS.map((t) => reference(2, 10, 3, true, t)),
      TOL,
    );
    // By hand: steps 0..9 give 2, 10..19 give 2 / 4, 20 gives 2 / 7.
    expectAllClose([got[3]!, got[4]!, got[6]!, got[7]!], [2, 0.5, 0.5, 2 / 7], TOL);
  });

  it('non-integer decaySteps', () => {
    const s = new InverseTimeDecay(0.1, 2.5, 0.3, { staircase: true });
    const steps = [0, 2, 3, 5, 7, 8];
    expectAllClose(
      steps.map((t) => s.apply(t)),
      steps.map((t) => reference(0.1, 2.5, 0.3, true, t)),
      TOL,
    );
  });

  it('takes an int32 tensor step, returns a float32 scalar tensor and leaks nothing', () => {
    const s = new InverseTimeDecay(0.1, 4, 1, { staircase: true });
    const before = memory().numTensors;
    for (const t of [0, 3, 4, 17]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expect(lr.dtype).toBe('float32');
      expect(lr.shape).toEqual([]);
      expectAllClose(lr, reference(0.1, 4, 1, true, t), TOL);
      lr.dispose();
      step.dispose();
    }
    s.apply(3);
    expect(memory().numTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => new InverseTimeDecay(0.1, 0, 0.5)).toThrow(/InverseTimeDecay: argument `decaySteps` must be > 0. Received: decaySteps=0/);
    expect(() => new InverseTimeDecay(0.1, -1, 0.5)).toThrow(/decaySteps=-1/);
    expect(() => new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1 } as never)).toThrow(
      /InverseTimeDecay.*`decayRate`/,
    );
    expect(() => new InverseTimeDecay(0.1, 1, 'fast' as never)).toThrow(/InverseTimeDecay.*`decayRate`.*fast/);
  });

  it('config has Keras keys and defaults; round trip through fromConfig and (de)serialize', () => {
    const s = new InverseTimeDecay(0.1, 1, 0.5);
    expect(s.getConfig()).toEqual({
      initial_learning_rate: 0.1,
      decay_steps: 1,
      decay_rate: 0.5,
      staircase: false,
      name: 'InverseTimeDecay',
    });
    expect(InverseTimeDecay.fromConfig(s.getConfig()).getConfig()).toEqual(s.getConfig());
    const ser = serialize(new InverseTimeDecay(0.1, 100, 0.9, { staircase: true, name: 'inv' }));
    expect(ser).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'InverseTimeDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 100, decay_rate: 0.9, staircase: true, name: 'inv' },
      registered_name: null,
    });
    const back = deserializeKerasObject<InverseTimeDecay>('schedule', ser);
    expect(back).toBeInstanceOf(InverseTimeDecay);
    expect(back.getConfig()).toEqual(ser.config);
    expect(deserialize(ser)).toBeInstanceOf(InverseTimeDecay);
  });

  it('drives SGD: the rate at iterations 0, 1, 2; restored from the optimizer config', () => {
    const opt = new SGD(new InverseTimeDecay(0.4, 1, 1));
    const w = new Variable({ initializer: [1, -2], name: 'w' });
    const g = [0.5, 1];
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const gt = tensor(g);
      opt.apply([gt], [w]);
      gt.dispose();
    }
    expect(memory().numTensors).toBe(before);
    // Rates 0.4, 0.2, 0.4 / 3.
    const lrSum = 0.4 + 0.2 + 0.4 / 3;
    expectAllClose(w.value, [1 - g[0]! * lrSum, -2 - g[1]! * lrSum], { rtol: 1e-6, atol: 1e-7 });
    expect(opt.learningRate).toBeCloseTo(reference(0.4, 1, 1, false, 3), 7);

    const config = opt.getConfig();
    const again = SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(InverseTimeDecay);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
    opt.dispose();
    again.dispose();
  });
});
