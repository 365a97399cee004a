import { tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import * as constraints from './index';

// Columns (axis 0 norms): (3, 4) -> 5, (0.6, 0.8) -> 1, (-1, 0) -> 1.
const w = () => tensor([[3, 0.6, -1], [4, 0.8, 0]]);
const eps = 1e-7;

describe('constraints', () => {
  it('MaxNorm(max_value=2, axis=0) rescales columns whose norm exceeds 2', () => {
    tidy(() => {
      const c = new constraints.MaxNorm();
      expect([c.maxValue, c.axis]).toEqual([2, 0]);
      expectAllClose(c.apply(w()), [[(3 * 2) / (5 + eps), 0.6 / (1 + eps), -1 / (1 + eps)], [(4 * 2) / (5 + eps), 0.8 / (1 + eps), 0]]);
      // axis 1: row norms sqrt(9 + .36 + 1), sqrt(16 + .64)
      const r0 = Math.sqrt(10.36);
      const r1 = Math.sqrt(16.64);
      expectAllClose(new constraints.MaxNorm({ maxValue: 1, axis: 1 }).apply(w()), [[3 / r0, 0.6 / r0, -1 / r0], [4 / r1, 0.8 / r1, 0]]);
    });
  });

  it('MinMaxNorm(min=0, max=1, rate=1, axis=0) and partial rates', () => {
    tidy(() => {
      expectAllClose(new constraints.MinMaxNorm().apply(w()), [[3 / 5, 0.6, -1], [4 / 5, 0.8, 0]], { atol: 1e-6 });
      // min 2, max 3, rate 0.5: norms 5 -> 0.5*3 + 0.5*5 = 4; 1 -> 0.5*2 + 0.5*1 = 1.5
      expectAllClose(new constraints.MinMaxNorm(2, 3, 0.5).apply(w()), [[(3 * 4) / 5, 0.6 * 1.5, -1.5], [(4 * 4) / 5, 0.8 * 1.5, 0]], { atol: 1e-5 });
    });
  });

  it('NonNeg zeroes negatives; UnitNorm normalizes along axis', () => {
    tidy(() => {
      expectAllClose(new constraints.NonNeg().apply(w()), [[3, 0.6, 0], [4, 0.8, 0]]);
      expectAllClose(new constraints.UnitNorm().apply(w()), [[0.6, 0.6, -1], [0.8, 0.8, 0]], { atol: 1e-6 });
      expectAllClose(new constraints.UnitNorm(1).apply(tensor([[3, 4]])), [[0.6, 0.8]], { atol: 1e-6 });
    });
  });

  it('identifiers, configs and round trips match Keras', () => {
    expect(constraints.get('max_norm')).toBeInstanceOf(constraints.MaxNorm);
    expect(constraints.get('MaxNorm')).toBeInstanceOf(constraints.MaxNorm);
    expect(constraints.get('minMaxNorm')).toBeInstanceOf(constraints.MinMaxNorm);
    expect(constraints.get('non_neg')).toBeInstanceOf(constraints.NonNeg);
    expect(constraints.get('unit_norm')).toBeInstanceOf(constraints.UnitNorm);
    expect(new constraints.MaxNorm().getConfig()).toEqual({ max_value: 2, axis: 0 });
    expect(new constraints.MinMaxNorm().getConfig()).toEqual({ min_value: 0, max_value: 1, rate: 1, axis: 0 });
    expect(new constraints.UnitNorm().getConfig()).toEqual({ axis: 0 });
    expect(new constraints.NonNeg().getConfig()).toEqual({});
    expect(constraints.serialize(new constraints.NonNeg())).toEqual({ module: 'keras.constraints', class_name: 'NonNeg', config: {}, registered_name: null });
    for (const c of [new constraints.MaxNorm(3, 1), new constraints.MinMaxNorm(0.5, 2, 0.7, [0, 1]), new constraints.NonNeg(), new constraints.UnitNorm(1)]) {
      const again = constraints.deserialize(JSON.parse(JSON.stringify(constraints.serialize(c))));
      expect(again.constructor).toBe(c.constructor);
      expect(again.getConfig()).toEqual(c.getConfig());
    }
  });

  it('leaves no tensors behind', async () => {
    const x = w();
    const leaked = await tensorLeak(() => {
      for (const c of [new constraints.MaxNorm(), new constraints.MinMaxNorm(), new constraints.NonNeg(), new constraints.UnitNorm()]) c.apply(x).dispose();
    });
    expect(leaked).toBe(0);
    x.dispose();
  });
});
