import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { ExponentialDecay } from './exponential-decay';
import { deserialize, serialize } from './learning-rate-schedule';

describe('ExponentialDecay', () => {
  it('follows initial * rate ** (step / decaySteps)', () => {
    const s = new ExponentialDecay(0.1, 1000, 0.96);
    for (const step of [0, 1, 500, 1000, 2500]) {
      expect(s.apply(step)).toBeCloseTo(0.1 * 0.96 ** (step / 1000), 7);
    }
  });

  it('staircase floors the exponent', () => {
    const s = new ExponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect([0, 9, 10, 19, 25].map((t) => s.apply(t))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('takes a tensor step and returns a tensor, leaking nothing', () => {
    const s = new ExponentialDecay(2, 4, 0.5);
    const step = tensor(8, [], 'int32');
    const before = memory().numTensors;
    const lr = s.apply(step);
    expect(memory().numTensors).toBe(before + 1);
    expectAllClose(lr, 0.5);
    lr.dispose();
    step.dispose();
    s.apply(3);
    expect(memory().numTensors).toBe(before - 1);
  });

  it('validates decaySteps', () => {
    expect(() => new ExponentialDecay(0.1, 0, 0.9)).toThrow(/decaySteps/);
  });

  it('config round trip with Keras keys', () => {
    const s = new ExponentialDecay(0.1, 100, 0.9, { staircase: true, name: 'decay' });
    const ser = serialize(s);
    expect(ser).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 100, decay_rate: 0.9, staircase: true, name: 'decay' },
      registered_name: null,
    });
    const back = deserialize(ser);
    expect(back).toBeInstanceOf(ExponentialDecay);
    expect(back.getConfig()).toEqual(ser.config);
  });
});
