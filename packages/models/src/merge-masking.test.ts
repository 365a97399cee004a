import { type Tensor, tensor } from '@strata/core';
import { Add, Average, Concatenate, Dot, Embedding, Input, type Layer, Maximum, Minimum, Multiply, Subtract, clearSession, getMask } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { Model } from './model';

// The Keras 3 mask rules of the merge layers (keras/src/layers/merging/*.py), run through a
// Functional model whose masks come from Embedding(mask_zero=True). Values are hand-computed.

// Row 0 (the padding id) is non-zero so that what happens to masked entries shows.
const E = [
  [7, -7],
  [1, 2],
  [3, -1],
  [-2, 4],
];
const idsA = [[0, 1, 0, 3]]; // mask [0, 1, 0, 1]
const idsB = [[0, 0, 2, 3]]; // mask [0, 0, 1, 1]

/** Model: two int inputs -> Embedding (masked or not) each -> `merge`. Returns [values, mask or null]. */
function runModel(merge: Layer, maskA: boolean, maskB: boolean): [unknown, number[][] | null] {
  const a = Input({ shape: [4], dtype: 'int32' });
  const b = Input({ shape: [4], dtype: 'int32' });
  const ea = new Embedding(4, 2, { maskZero: maskA, weights: E }).apply(a);
  const eb = new Embedding(4, 2, { maskZero: maskB, weights: E }).apply(b);
  const model = new Model({ inputs: [a, b], outputs: merge.apply([ea, eb]) });
  const xa = tensor(idsA, undefined, 'int32');
  const xb = tensor(idsB, undefined, 'int32');
  const y = model.apply([xa, xb]) as Tensor;
  const m = getMask(y);
  const out: [unknown, number[][] | null] = [y.arraySync(), m == null ? null : (m.arraySync() as unknown as (number | boolean)[][]).map((r) => r.map(Number))];
  for (const t of [y, xa, xb]) t.dispose();
  model.dispose();
  return out;
}

describe('merge layers in a Functional model with Embedding(mask_zero) masks', () => {
  it('Add / Subtract / Average merge plain values; the mask is the OR, or none if one input is unmasked', () => {
    clearSession();
    expect(runModel(new Add(), true, true)).toEqual([[[[14, -14], [8, -5], [10, -8], [-4, 8]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Subtract(), true, true)).toEqual([[[[0, 0], [-6, 9], [4, -6], [0, 0]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Average(), true, true)).toEqual([[[[7, -7], [4, -2.5], [5, -4], [-2, 4]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Add(), true, false)).toEqual([[[[14, -14], [8, -5], [10, -8], [-4, 8]]], null]);
  });

  it('Multiply counts masked entries as 1 and zeroes entries masked in every input', () => {
    expect(runModel(new Multiply(), true, true)).toEqual([[[[0, 0], [1, 2], [3, -1], [4, 16]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Multiply(), true, false)).toEqual([[[[7, -7], [7, -14], [3, -1], [4, 16]]], null]);
  });

  it('Maximum / Minimum never let a masked entry win', () => {
    expect(runModel(new Maximum(), true, true)).toEqual([[[[7, -7], [1, 2], [3, -1], [-2, 4]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Minimum(), true, true)).toEqual([[[[7, -7], [1, 2], [3, -1], [-2, 4]]], [[0, 1, 1, 1]]]);
    expect(runModel(new Maximum(), true, false)).toEqual([[[[7, -7], [7, 2], [3, -1], [-2, 4]]], null]);
    expect(runModel(new Minimum(), true, false)).toEqual([[[[7, -7], [1, -7], [3, -1], [-2, 4]]], null]);
  });

  it('Concatenate concatenates full-shape masks (ANY over the last axis); Dot has no mask', () => {
    const [values, mask] = runModel(new Concatenate({ axis: 1 }), true, false);
    expect(values).toEqual([[[7, -7], [1, 2], [7, -7], [-2, 4], [7, -7], [7, -7], [3, -1], [-2, 4]]]);
    expect(mask).toEqual([[0, 1, 0, 1, 1, 1, 1, 1]]);
    expect(runModel(new Concatenate(), true, true)[1]).toEqual([[0, 1, 1, 1]]);
    expect(runModel(new Concatenate(), true, false)[1]).toEqual([[1, 1, 1, 1]]);
    expect(runModel(new Dot({ axes: -1 }), true, true)[1]).toBeNull();
  });
});
