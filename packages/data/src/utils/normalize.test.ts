import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { normalize } from './normalize';

describe('normalize', () => {
  it('L2 on a tensor along the last axis (keras.ops.normalize docstring values)', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const before = memory().numTensors;
    const y = normalize(x);
    expect(memory().numTensors).toBe(before + 1);
    expectAllClose(y, [
      [0.26726124, 0.5345225, 0.8017837],
      [0.45584232, 0.5698029, 0.68376344],
    ]);
    y.dispose();
    x.dispose();
  });
  it('L1 along axis 0 on a tensor; zero columns stay zero (norm clamped at epsilon)', () => {
    const x = tensor([
      [1, 0],
      [-3, 0],
    ]);
    const y = normalize(x, { axis: 0, order: 1 });
    expectAllClose(y, [
      [0.25, 0],
      [-0.75, 0],
    ]);
    x.dispose();
    y.dispose();
  });
  it('an int tensor gives float32', () => {
    const x = tensor([3, 4], [2], 'int32');
    const y = normalize(x);
    expect(y.dtype).toBe('float32');
    expectAllClose(y, [0.6, 0.8]);
    x.dispose();
    y.dispose();
  });
  it('nested arrays follow the NumPy branch in float64 (zero norm -> divide by 1)', () => {
    const y = normalize(
      [
        [3, 4],
        [0, 0],
      ],
      { axis: -1 },
    );
    expect(y).toEqual([
      [0.6, 0.8],
      [0, 0],
    ]);
    const z = normalize([1, 2, 2], { order: 3 }) as number[];
    const n3 = Math.cbrt(1 + 8 + 8);
    z.forEach((v, i) => {
      expect(v).toBeCloseTo([1, 2, 2][i]! / n3, 14);
    });
    expect(normalize([[1], [1]], { axis: 0 })).toEqual([[1 / Math.SQRT2], [1 / Math.SQRT2]]);
  });
  it('rejects a bad order or axis', () => {
    expect(() => normalize([1, 2], { order: 0 })).toThrow(/`order` must be an int >= 1. Received: order=0/);
    expect(() => normalize([1, 2], { order: 1.5 })).toThrow(/order=1.5/);
    const x = tensor([1, 2]);
    expect(() => normalize(x, { axis: 3 })).toThrow(/`axis` 3 is out of range/);
    x.dispose();
  });
});
