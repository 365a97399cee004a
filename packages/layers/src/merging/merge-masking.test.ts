import { type KerasTensor, type Tensor, ValueError, memory, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Embedding } from '../core/embedding';
import { Input } from '../core/input-layer';
import { type Layer, getMask } from '../layer';
import { Add } from './add';
import { Average } from './average';
import { Concatenate } from './concatenate';
import { Dot } from './dot';
import { Maximum } from './maximum';
import { Minimum } from './minimum';
import { Multiply } from './multiply';
import { Subtract } from './subtract';

// Keras 3 (keras/src/layers/merging/*.py): Add/Subtract/Average merge the values as they are;
// Multiply counts masked entries as 1 and, when every input is masked, zeroes entries masked
// everywhere; Maximum/Minimum never let a masked entry win (`_apply_merge_op_and_or_mask`);
// the output mask of all of them is the OR of the masks, or none if one input has none.
// Concatenate concatenates full-shape masks and reduces them with ANY over the last axis; Dot
// outputs no mask.

// Embedding rows: row 0 (the padding id) is non-zero so that masked entries are visible.
const E = [
  [7, -7],
  [1, 2],
  [3, -1],
  [-2, 4],
];
const idsA = [[0, 1, 0, 3]]; // mask [0, 1, 0, 1]
const idsB = [[0, 0, 2, 3]]; // mask [0, 0, 1, 1]
const idsC = [[0, 2, 0, 0]]; // mask [0, 1, 0, 0]
const embed = (ids: number[][]) => ids.map((row) => row.map((k) => E[k]!));

function embedding(maskZero: boolean): Embedding {
  return new Embedding(4, 2, { maskZero, weights: E });
}

/** Runs `layer` on the embeddings of `ids` (masked when `masked[i]`); returns [values, mask or null]. */
function run(layer: Layer, ids: number[][][], masked: boolean[]): [number[][][], number[][] | null] {
  let values: number[][][] = [];
  let mask: number[][] | null = null;
  tidy(() => {
    const xs = ids.map((x, i) => embedding(masked[i]!).apply(tensor(x, undefined, 'int32')) as Tensor);
    const y = layer.apply(xs) as Tensor;
    const m = getMask(y);
    values = y.arraySync() as number[][][];
    mask = m == null ? null : (m.arraySync() as unknown as (number | boolean)[][]).map((r) => r.map(Number));
  });
  return [values, mask];
}

describe('merge layers with masks from Embedding(mask_zero)', () => {
  it('the embeddings carry the masks the tests rely on', () => {
    tidy(() => {
      const x = embedding(true).apply(tensor(idsA, undefined, 'int32')) as Tensor;
      expectAllClose(x, embed(idsA), { atol: 0 });
      expect(Array.from(getMask(x)!.dataSync())).toEqual([0, 1, 0, 1]);
    });
  });

  it('Add / Subtract / Average: plain values; mask is the OR when both are masked, else none', () => {
    expect(run(new Add(), [idsA, idsB], [true, true])).toEqual([
      [[[14, -14], [8, -5], [10, -8], [-4, 8]]],
      [[0, 1, 1, 1]],
    ]);
    expect(run(new Subtract(), [idsA, idsB], [true, true])).toEqual([
      [[[0, 0], [-6, 9], [4, -6], [0, 0]]],
      [[0, 1, 1, 1]],
    ]);
    expect(run(new Average(), [idsA, idsB], [true, true])).toEqual([
      [[[7, -7], [4, -2.5], [5, -4], [-2, 4]]],
      [[0, 1, 1, 1]],
    ]);
    expect(run(new Add(), [idsA, idsB], [true, false])).toEqual([[[[14, -14], [8, -5], [10, -8], [-4, 8]]], null]);
    expect(run(new Average(), [idsA, idsB], [false, true])[1]).toBeNull();
  });

  it('Multiply: masked entries count as 1; with every input masked, entries masked everywhere are 0', () => {
    // a' = [[1,1],[1,2],[1,1],[-2,4]], b' = [[1,1],[1,1],[3,-1],[-2,4]]; step 0 is masked in both.
    expect(run(new Multiply(), [idsA, idsB], [true, true])).toEqual([
      [[[0, 0], [1, 2], [3, -1], [4, 16]]],
      [[0, 1, 1, 1]],
    ]);
    // Only a masked: a' * b, no zeroing, no output mask.
    expect(run(new Multiply(), [idsA, idsB], [true, false])).toEqual([
      [[[7, -7], [7, -14], [3, -1], [4, 16]]],
      null,
    ]);
    expect(run(new Multiply(), [idsA, idsB], [false, false])).toEqual([
      [[[49, 49], [7, -14], [21, 7], [4, 16]]],
      null,
    ]);
  });

  it('Maximum / Minimum: a masked entry never wins over a kept one', () => {
    // Both masked: where only one input keeps a step, that input's value is the result.
    expect(run(new Maximum(), [idsA, idsB], [true, true])).toEqual([
      [[[7, -7], [1, 2], [3, -1], [-2, 4]]],
      [[0, 1, 1, 1]],
    ]);
    expect(run(new Minimum(), [idsA, idsB], [true, true])).toEqual([
      [[[7, -7], [1, 2], [3, -1], [-2, 4]]],
      [[0, 1, 1, 1]],
    ]);
    // Only a masked: a's masked steps take b's value, then the op runs against b (no output mask).
    expect(run(new Maximum(), [idsA, idsB], [true, false])).toEqual([
      [[[7, -7], [7, 2], [3, -1], [-2, 4]]],
      null,
    ]);
    expect(run(new Minimum(), [idsA, idsB], [true, false])).toEqual([
      [[[7, -7], [1, -7], [3, -1], [-2, 4]]],
      null,
    ]);
    expect(run(new Maximum(), [idsB, idsA], [false, true])).toEqual([
      [[[7, -7], [7, 2], [3, -1], [-2, 4]]],
      null,
    ]);
    // Three inputs, the middle one unmasked: c's masked steps take the running result.
    // Plain max would give step 2 = [7, -1]; here c's masked 7 does not count.
    expect(run(new Maximum(), [idsA, idsB, idsC], [true, false, true])).toEqual([
      [[[7, -7], [7, 2], [3, -1], [-2, 4]]],
      null,
    ]);
  });

  it('Concatenate: full-shape masks concatenated along axis, then ANY over the last axis', () => {
    const ya = embed(idsA)[0]!;
    const yb = embed(idsB)[0]!;
    expect(run(new Concatenate({ axis: 1 }), [idsA, idsB], [true, false])).toEqual([[[...ya, ...yb]], [[0, 1, 0, 1, 1, 1, 1, 1]]]);
    expect(run(new Concatenate({ axis: 1 }), [idsA, idsB], [true, true])[1]).toEqual([[0, 1, 0, 1, 0, 0, 1, 1]]);
    // Along the features: an unmasked input keeps every step.
    expect(run(new Concatenate({ axis: -1 }), [idsA, idsB], [true, false])).toEqual([[ya.map((r, t) => [...r, ...yb[t]!])], [[1, 1, 1, 1]]]);
    expect(run(new Concatenate(), [idsA, idsB], [true, true])[1]).toEqual([[0, 1, 1, 1]]);
    expect(run(new Concatenate(), [idsA, idsB], [false, false])[1]).toBeNull();
  });

  it('Dot: no output mask', () => {
    const [, mask] = run(new Dot({ axes: -1 }), [idsA, idsB], [true, true]);
    expect(mask).toBeNull();
  });

  it('builds symbolically from Input -> Embedding(mask_zero)', () => {
    const a = Input({ shape: [4], dtype: 'int32' });
    const b = Input({ shape: [4], dtype: 'int32' });
    for (const layer of [new Add(), new Multiply(), new Maximum(), new Minimum(), new Concatenate({ axis: 1 })]) {
      const y = layer.apply([embedding(true).apply(a), embedding(true).apply(b)]) as KerasTensor;
      expect(y.shape).toEqual(layer instanceof Concatenate ? [null, 8, 2] : [null, 4, 2]);
    }
  });

  it('leaves no tensors behind (masks are freed with their outputs)', () => {
    const layers = [new Add(), new Multiply(), new Maximum(), new Minimum(), new Concatenate({ axis: 1 })];
    const embA = embedding(true);
    const embB = embedding(true);
    const a = tensor(idsA, undefined, 'int32');
    const b = tensor(idsB, undefined, 'int32');
    const xa = embA.apply(a) as Tensor;
    const xb = embB.apply(b) as Tensor;
    for (const layer of layers) (layer.apply([xa, xb]) as Tensor).dispose(); // builds
    const before = memory().numTensors;
    for (const layer of layers) (layer.apply([xa, xb]) as Tensor).dispose();
    expect(memory().numTensors).toBe(before);
    for (const t of [xa, xb, a, b]) t.dispose();
  });
});

describe('merge compute_mask (Keras argument rules)', () => {
  it('OR of the masks; none if any input has none; Keras errors for a non-list or a length mismatch', () => {
    const add = new Add({ name: 'or_add' });
    const x = tensor([[[1], [2], [3]]]);
    tidy(() => {
      const m = add.computeMask([x, x, x], [tensor([[1, 1, 0]], undefined, 'bool'), tensor([[0, 0, 0]], undefined, 'bool'), tensor([[1, 0, 0]], undefined, 'bool')]);
      expect(Array.from((m as Tensor).dataSync())).toEqual([1, 1, 0]);
      expect(add.computeMask([x, x], [tensor([[1, 1, 0]], undefined, 'bool'), null])).toBeNull();
    });
    expect(add.computeMask([x, x], null)).toBeNull();
    const m = tensor([[1, 0, 1]], undefined, 'bool');
    expect(() => add.computeMask([x, x], m)).toThrow(ValueError);
    expect(() => add.computeMask([x, x], m)).toThrow(/or_add.*`mask` should be a list/);
    expect(() => add.computeMask(x, [m, m])).toThrow(/or_add.*`inputs` should be a list/);
    expect(() => add.computeMask([x, x], [m])).toThrow(/or_add.*same length.*inputs of length 2, and mask of length 1/);
    const cat = new Concatenate({ name: 'cat_mask' });
    expect(() => cat.computeMask([x, x], [m])).toThrow(/cat_mask.*same length/);
    expect(() => new Maximum({ name: 'bad_mask' }).apply([x, x], { mask: [tensor([[1, 0]], undefined, 'bool'), null] })).toThrow(
      /bad_mask.*mask of shape \(1, 2\).*input of shape \(1, 3, 1\)/,
    );
    for (const t of [x, m]) t.dispose();
  });
});
