import { Variable, deserializeKerasObject, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from '../sgd';
import { CosineDecayRestarts } from './cosine-decay-restarts';
import { deserialize, serialize } from './learning-rate-schedule';

interface Ref {
  init: number;
  first: number;
  tMul?: number;
  mMul?: number;
  alpha?: number;
}

// Float64 reference that walks the periods one by one (period i lasts first * tMul**i steps and
// peaks at mMul**i), independent of the closed-form log used by Keras.
function reference({ init, first, tMul = 2, mMul = 1, alpha = 0 }: Ref, step: number): number {
  let start = 0;
  let length = first;
  let peak = 1;
  while (step >= start + length) {
    start += length;
    length *= tMul;
    peak *= mMul;
  }
  const fraction = (step - start) / length;
  return init * ((1 - alpha) * 0.5 * peak * (1 + Math.cos(Math.PI * fraction)) + alpha);
}

// Near the end of a period 1 + cos(pi * f) is tiny and float32 loses digits relative to it.
const tol = (scale: number) => ({ rtol: 1e-6, atol: 2e-7 * scale });

describe('CosineDecayRestarts', () => {
  it('defaults (tMul 2, mMul 1): periods of 10, 20, 40 steps, restarting at the initial rate', () => {
    const s = new CosineDecayRestarts(0.1, 10);
    // Restarts at 10, 30, 70, 150: check at, just before and just after each.
    const steps = [0, 1, 5, 9, 10, 11, 20, 29, 30, 31, 50, 69, 70, 71, 149, 150, 151, 1000];
    const got = steps.map((t) => s.apply(t));
    expectAllClose(
      got,
      steps.map((t) => reference({ init: 0.1, first: 10 }, t)),
      tol(0.1),
    );
    // By hand: full rate at each restart, half of it in the middle of the 20-step period.
    expectAllClose([got[0]!, got[4]!, got[6]!, got[8]!, got[10]!, got[12]!], [0.1, 0.1, 0.05, 0.1, 0.05, 0.1], tol(0.1));
  });

  it('tMul 1 (equal periods), with mMul and alpha', () => {
    const cfg = { init: 1, first: 8, tMul: 1, mMul: 0.5, alpha: 0.1 };
    const s = new CosineDecayRestarts(1, 8, { tMul: 1, mMul: 0.5, alpha: 0.1 });
    const steps = [0, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 100];
    const got = steps.map((t) => s.apply(t));
    expectAllClose(
      got,
      steps.map((t) => reference(cfg, t)),
      tol(1),
    );
    // By hand: step 16 restarts the third period at 0.9 * 0.25 + 0.1; step 12 is mid-period 2.
    expectAllClose([got[8]!, got[6]!], [0.9 * 0.25 + 0.1, 0.9 * 0.25 + 0.1], tol(1));
  });

  it('geometric periods with mMul < 1 and alpha', () => {
    for (const [tMul, mMul, alpha] of [
      [2, 0.8, 0.05],
      [3, 0.5, 0],
      [1.5, 0.9, 0.2],
    ] as const) {
      const cfg = { init: 0.5, first: 4, tMul, mMul, alpha };
      const s = new CosineDecayRestarts({ initialLearningRate: 0.5, firstDecaySteps: 4, tMul, mMul, alpha });
      // Steps avoid the restart steps themselves for tMul 1.5, whose boundaries (4, 10, 19, 32.5)
      // are checked separately below.
      const steps = [0, 1, 2, 3, 5, 7, 11, 15, 17, 25, 33, 50, 64, 80, 200];
      expectAllClose(
        steps.map((t) => s.apply(t)),
        steps.map((t) => reference(cfg, t)),
        tol(0.5),
      );
    }
  });

  it('restart steps of non-power-of-two tMul land on the new period', () => {
    const cfg = { init: 1, first: 4, tMul: 1.5, mMul: 0.5 };
    const s = new CosineDecayRestarts(1, 4, { tMul: 1.5, mMul: 0.5 });
    const steps = [4, 10, 19];
    expectAllClose(
      steps.map((t) => s.apply(t)),
      steps.map((t) => reference(cfg, t)),
      tol(1),
    );
    expectAllClose(
      steps.map((t) => s.apply(t)),
      [0.5, 0.25, 0.125],
      tol(1),
    );
  });

  it('takes an int32 tensor step, returns a float32 scalar tensor and leaks nothing', () => {
    const cfg = { init: 0.01, first: 5, tMul: 2, mMul: 0.9 };
    const s = new CosineDecayRestarts(0.01, 5, { mMul: 0.9 });
    const before = memory().numTensors;
    for (const t of [0, 4, 5, 14, 15, 16]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expect(lr.dtype).toBe('float32');
      expect(lr.shape).toEqual([]);
      expectAllClose(lr, reference(cfg, t), tol(0.01));
      lr.dispose();
      step.dispose();
    }
    s.apply(3);
    new CosineDecayRestarts(1, 3, { tMul: 1 }).apply(4);
    expect(memory().numTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => new CosineDecayRestarts(0.1, 0)).toThrow(
      /CosineDecayRestarts: argument `firstDecaySteps` must be > 0. Received: firstDecaySteps=0/,
    );
    expect(() => new CosineDecayRestarts(0.1, -2)).toThrow(/firstDecaySteps=-2/);
    expect(() => new CosineDecayRestarts({ initialLearningRate: 0.1, decaySteps: 10 } as never)).toThrow(
      /CosineDecayRestarts.*decaySteps/,
    );
    expect(() => new CosineDecayRestarts(0.1, 10, { tMul: Number.POSITIVE_INFINITY })).toThrow(/CosineDecayRestarts.*`tMul`/);
    expect(() => new CosineDecayRestarts(0.1, 10, { t_mul: 3 } as never)).toThrow(/t_mul/);
  });

  it('config has Keras keys and defaults; round trip through fromConfig and (de)serialize', () => {
    const s = new CosineDecayRestarts(0.1, 1000);
    expect(s.getConfig()).toEqual({
      initial_learning_rate: 0.1,
      first_decay_steps: 1000,
      t_mul: 2.0,
      m_mul: 1.0,
      alpha: 0.0,
      name: 'SGDRDecay',
    });
    expect(CosineDecayRestarts.fromConfig(s.getConfig()).getConfig()).toEqual(s.getConfig());
    const ser = serialize(new CosineDecayRestarts(0.1, 100, { tMul: 1.5, mMul: 0.7, alpha: 0.01, name: 'sgdr' }));
    expect(ser).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'CosineDecayRestarts',
      config: { initial_learning_rate: 0.1, first_decay_steps: 100, t_mul: 1.5, m_mul: 0.7, alpha: 0.01, name: 'sgdr' },
      registered_name: null,
    });
    const back = deserializeKerasObject<CosineDecayRestarts>('schedule', JSON.parse(JSON.stringify(ser)));
    expect(back).toBeInstanceOf(CosineDecayRestarts);
    expect(back.getConfig()).toEqual(ser.config);
    expectAllClose(back.apply(130), reference({ init: 0.1, first: 100, tMul: 1.5, mMul: 0.7, alpha: 0.01 }, 130), tol(0.1));
    expect(deserialize(ser)).toBeInstanceOf(CosineDecayRestarts);
  });

  it('drives SGD: the rate at iterations 0, 1, 2; restored from the optimizer config', () => {
    const opt = new SGD(new CosineDecayRestarts(0.4, 2, { tMul: 1, mMul: 0.5 }));
    const w = new Variable({ initializer: [1, -2], name: 'w' });
    const g = [0.5, 1];
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const gt = tensor(g);
      opt.apply([gt], [w]);
      gt.dispose();
    }
    expect(memory().numTensors).toBe(before);
    // Rates: 0.4 (start), 0.2 (mid-period), 0.2 (restart at half the peak).
    const lrSum = 0.4 + 0.2 + 0.2;
    expectAllClose(w.value, [1 - g[0]! * lrSum, -2 - g[1]! * lrSum], { rtol: 1e-6, atol: 1e-7 });
    expect(opt.learningRate).toBeCloseTo(reference({ init: 0.4, first: 2, tMul: 1, mMul: 0.5 }, 3), 7);

    const config = opt.getConfig();
    const again = SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(CosineDecayRestarts);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
    opt.dispose();
    again.dispose();
  });
});
