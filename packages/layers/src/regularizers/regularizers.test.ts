import { tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import * as regularizers from './index';

const w = () => tensor([[1, -2], [0.5, 3]]);
// sum|w| = 6.5, sum w^2 = 1 + 4 + 0.25 + 9 = 14.25

describe('regularizers', () => {
  it('L1, L2, L1L2 give l1*sum|x| + l2*sum(x^2) with Keras defaults', () => {
    tidy(() => {
      expect(new regularizers.L1().l1).toBe(0.01);
      expect(new regularizers.L2().l2).toBe(0.01);
      expect([new regularizers.L1L2().l1, new regularizers.L1L2().l2]).toEqual([0, 0]);
      const l1 = new regularizers.L1().apply(w());
      expect(l1.shape).toEqual([]);
      expectAllClose(l1, 0.065);
      expectAllClose(new regularizers.L2(0.1).apply(w()), 1.425);
      expectAllClose(new regularizers.L1L2(0.2, 0.1).apply(w()), 0.2 * 6.5 + 1.425);
      expectAllClose(new regularizers.L1L2({ l2: 0.5 }).apply(w()), 7.125);
      expectAllClose(new regularizers.L1L2().apply(w()), 0);
      expectAllClose(regularizers.l1L2(0.2, 0.1).apply(w()), 0.2 * 6.5 + 1.425);
      expectAllClose(regularizers.l2(0.1).apply(w()), 1.425);
      expectAllClose(regularizers.l1().apply(w()), 0.065);
    });
  });

  it('rejects negative or non-finite factors', () => {
    expect(() => new regularizers.L1(-1)).toThrow(/non-negative/);
    expect(() => new regularizers.L2(Number.NaN)).toThrow(/non-negative/);
  });

  it('OrthogonalRegularizer: factor * 0.5 * mean |off-diagonal cosines|', () => {
    // rows (1, 0), (1, 1)/sqrt2, (0, 1): pair cosines 1/sqrt2, 0, 1/sqrt2 -> sum over both triangles 4/sqrt2.
    tidy(() => {
      const x = tensor([[2, 0], [1, 1], [0, 3]]);
      expectAllClose(new regularizers.OrthogonalRegularizer(0.1).apply(x), (0.1 * 0.5 * (4 / Math.SQRT2)) / 3);
      // columns of x: (2,1,0) and (0,1,3): cosine 1/(sqrt5*sqrt10) -> 2 entries, 1 pair.
      expectAllClose(new regularizers.OrthogonalRegularizer({ factor: 1, mode: 'columns' }).apply(x), 0.5 * (2 / Math.sqrt(50)));
    });
    expect(() => new regularizers.OrthogonalRegularizer({ mode: 'diag' as never })).toThrow(/mode/);
  });

  it('gradients match finite differences', () => {
    const x = tensor([[0.7, -1.2], [0.4, 2.1]]);
    expect(gradientError((t) => new regularizers.L1L2(0.3, 0.2).apply(t), [x])).toBeLessThan(1e-3);
    expect(gradientError((t) => new regularizers.OrthogonalRegularizer(0.5).apply(t), [x])).toBeLessThan(1e-3);
  });

  it('identifiers, configs and round trips match Keras', () => {
    expect(regularizers.get('l1')).toBeInstanceOf(regularizers.L1);
    expect(regularizers.get('l2')).toBeInstanceOf(regularizers.L2);
    expect(regularizers.get('l1_l2')).toBeInstanceOf(regularizers.L1L2);
    expect(regularizers.get('l1L2')).toBeInstanceOf(regularizers.L1L2);
    expect(regularizers.get('orthogonal_regularizer')).toBeInstanceOf(regularizers.OrthogonalRegularizer);
    expect(regularizers.serialize(new regularizers.L2(0.5))).toEqual({
      module: 'keras.regularizers',
      class_name: 'L2',
      config: { l2: 0.5 },
      registered_name: null,
    });
    expect(new regularizers.L1L2(0.1, 0.2).getConfig()).toEqual({ l1: 0.1, l2: 0.2 });
    expect(new regularizers.OrthogonalRegularizer().getConfig()).toEqual({ factor: 0.01, mode: 'rows' });
    for (const r of [new regularizers.L1(0.3), new regularizers.L2(0.4), new regularizers.L1L2(0.1, 0.2), new regularizers.OrthogonalRegularizer(0.2, 'columns')]) {
      const again = regularizers.deserialize(JSON.parse(JSON.stringify(regularizers.serialize(r))));
      expect(again.constructor).toBe(r.constructor);
      expect(again.getConfig()).toEqual(r.getConfig());
    }
  });

  it('leaves no tensors behind', async () => {
    const x = w();
    expect(await tensorLeak(() => tidy(() => { new regularizers.L1L2(0.1, 0.1).apply(x); new regularizers.OrthogonalRegularizer().apply(x); }))).toBe(0);
    expect(await tensorLeak(() => new regularizers.L1L2(0.1, 0.1).apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
