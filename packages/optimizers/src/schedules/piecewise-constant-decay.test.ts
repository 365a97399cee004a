import { Variable, deserializeKerasObject, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { SGD } from '../sgd';
import { deserialize, serialize } from './learning-rate-schedule';
import { PiecewiseConstantDecay } from './piecewise-constant-decay';

// Float64 reference: Keras' sum over intervals of value * [step in (b[i-1], b[i]]].
function reference(boundaries: number[], values: number[], step: number): number {
  let out = 0;
  for (let i = 0; i < values.length; i++) {
    const above = i === 0 || step > boundaries[i - 1]!;
    const atMost = i === values.length - 1 || step <= boundaries[i]!;
    if (above && atMost) out += values[i]!;
  }
  return out;
}

const TOL = { rtol: 1e-6, atol: 1e-9 };

describe('PiecewiseConstantDecay', () => {
  it('is values[i] on (boundaries[i-1], boundaries[i]], boundaries included in the lower piece', () => {
    const boundaries = [100, 110, 250];
    const values = [1.0, 0.5, 0.1, 0.03];
    const s = new PiecewiseConstantDecay(boundaries, values);
    const steps = [0, 1, 99, 100, 101, 109, 110, 111, 249, 250, 251, 1000, 1e6];
    const got = steps.map((t) => s.apply(t));
    expectAllClose(
      got,
      steps.map((t) => reference(boundaries, values, t)),
      TOL,
    );
    // Hand-checked pieces: step 100 is still the first value, 101 the second.
    expectAllClose([got[3]!, got[4]!, got[6]!, got[7]!, got[10]!], [1, 0.5, 0.5, 0.1, 0.03], TOL);
  });

  it('one boundary; fractional steps and negative steps', () => {
    const s = new PiecewiseConstantDecay({ boundaries: [2.5], values: [0.2, 0.02] });
    const steps = [-3, 0, 2, 2.5, 2.75, 3];
    expectAllClose(
      steps.map((t) => s.apply(t)),
      steps.map((t) => reference([2.5], [0.2, 0.02], t)),
      TOL,
    );
  });

  it('unsorted boundaries sum the matching pieces like Keras', () => {
    // Keras does not sort: with [10, 5], step 7 is in (-inf, 10] and in (5, +inf) => 1 + 3.
    const s = new PiecewiseConstantDecay([10, 5], [1, 2, 3]);
    const steps = [0, 5, 7, 10, 11];
    const got = steps.map((t) => s.apply(t));
    expectAllClose(
      got,
      steps.map((t) => reference([10, 5], [1, 2, 3], t)),
      TOL,
    );
    expect(got[2]).toBe(4);
  });

  it('takes an int32 tensor step, returns a float32 scalar tensor and leaks nothing', () => {
    const s = new PiecewiseConstantDecay([3, 6], [0.3, 0.2, 0.1]);
    const before = memory().numTensors;
    for (const t of [0, 3, 4, 6, 7]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expect(lr.dtype).toBe('float32');
      expect(lr.shape).toEqual([]);
      expectAllClose(lr, reference([3, 6], [0.3, 0.2, 0.1], t), TOL);
      lr.dispose();
      step.dispose();
    }
    s.apply(5);
    expect(memory().numTensors).toBe(before);
  });

  it('an int32 step is compared in int32 like Keras (exact past 2**24, boundaries cast to the step dtype)', () => {
    // 2**24 + 3 is not a float32: it would round to 2**24 + 4 and step 2**24 + 4 would stay in the
    // first piece.
    const boundary = 2 ** 24 + 3;
    const s = new PiecewiseConstantDecay([boundary], [1, 2]);
    for (const t of [boundary - 1, boundary, boundary + 1]) {
      const step = tensor(t, [], 'int32');
      const lr = s.apply(step);
      expectAllClose(lr, reference([boundary], [1, 2], t), TOL);
      lr.dispose();
      step.dispose();
      expect(s.apply(t)).toBe(reference([boundary], [1, 2], t));
    }
    // Boundaries beyond int32 (Keras compares in int64) do not wrap around.
    const far = new PiecewiseConstantDecay([1e12], [0.5, 0.25]);
    const bigStep = tensor(2 ** 31 - 1, [], 'int32');
    const farLr = far.apply(bigStep);
    expectAllClose(farLr, 0.5, TOL);
    farLr.dispose();
    bigStep.dispose();
    // Keras casts a fractional boundary to an int step's dtype (truncating): -1.5 becomes -1, so
    // int step -1 is in the first piece; a float step -1 is compared with -1.5 and is not.
    const neg = new PiecewiseConstantDecay([-1.5], [1, 2]);
    const intStep = tensor(-1, [], 'int32');
    const floatStep = tensor(-1, [], 'float32');
    const a = neg.apply(intStep);
    const b = neg.apply(floatStep);
    expectAllClose([a.dataSync()[0]!, b.dataSync()[0]!], [1, 2], TOL);
    for (const t of [a, b, intStep, floatStep]) t.dispose();
  });

  it('validates the lengths and the numbers', () => {
    expect(() => new PiecewiseConstantDecay([1, 2], [1, 2])).toThrow(
      /PiecewiseConstantDecay.*boundaries should be 1 less.*boundaries=\[1, 2\] of length 2.*values=\[1, 2\] of length 2/,
    );
    expect(() => new PiecewiseConstantDecay([], [1])).toThrow(/PiecewiseConstantDecay.*`boundaries` must have at least one/);
    expect(() => new PiecewiseConstantDecay([1], [1, Number.NaN])).toThrow(/values\[1\]/);
    expect(() => new PiecewiseConstantDecay({ boundaries: [1] } as never)).toThrow(/PiecewiseConstantDecay.*`values`/);
    expect(() => new PiecewiseConstantDecay({ boundaries: [1], values: [1, 2], nmae: 'x' } as never)).toThrow(/nmae/);
  });

  it('config has Keras keys and defaults; round trip through fromConfig and (de)serialize', () => {
    const s = new PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]);
    expect(s.getConfig()).toEqual({ boundaries: [10, 20], values: [0.1, 0.01, 0.001], name: 'PiecewiseConstant' });
    expect(PiecewiseConstantDecay.fromConfig(s.getConfig()).getConfig()).toEqual(s.getConfig());
    const ser = serialize(new PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001], { name: 'pw' }));
    expect(ser).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'PiecewiseConstantDecay',
      config: { boundaries: [10, 20], values: [0.1, 0.01, 0.001], name: 'pw' },
      registered_name: null,
    });
    const back = deserializeKerasObject<PiecewiseConstantDecay>('schedule', ser);
    expect(back).toBeInstanceOf(PiecewiseConstantDecay);
    expect(back.getConfig()).toEqual(ser.config);
    expect(back.apply(15)).toBeCloseTo(0.01, 8);
    expect(deserialize(JSON.parse(JSON.stringify(ser)))).toBeInstanceOf(PiecewiseConstantDecay);
  });

  it('drives SGD: the rate at iterations 0, 1, 2; restored from the optimizer config', () => {
    const boundaries = [0, 1];
    const values = [0.5, 0.25, 0.125];
    const opt = new SGD(new PiecewiseConstantDecay(boundaries, values));
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
    for (let i = 0; i < 3; i++) lrSum += reference(boundaries, values, i);
    expectAllClose(w.value, [1 - g[0]! * lrSum, -2 - g[1]! * lrSum], { rtol: 1e-6, atol: 1e-7 });
    expect(opt.learningRate).toBeCloseTo(reference(boundaries, values, 3), 7);

    const config = opt.getConfig();
    const again = SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(PiecewiseConstantDecay);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
    opt.dispose();
    again.dispose();
  });
});
