import { memory, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { padSequences } from './pad-sequences';

const seqs = [[1], [2, 3], [4, 5, 6]];

describe('padSequences', () => {
  it('pre-pads with zeros to the longest sequence (Keras docstring example)', () => {
    const t = padSequences(seqs);
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([3, 3]);
    expect(t.arraySync()).toEqual([
      [0, 0, 1],
      [0, 2, 3],
      [4, 5, 6],
    ]);
    t.dispose();
  });
  it('value, post padding and pre truncation', () => {
    const a = padSequences(seqs, { value: -1 });
    expect(a.arraySync()).toEqual([
      [-1, -1, 1],
      [-1, 2, 3],
      [4, 5, 6],
    ]);
    const b = padSequences(seqs, { padding: 'post' });
    expect(b.arraySync()).toEqual([
      [1, 0, 0],
      [2, 3, 0],
      [4, 5, 6],
    ]);
    const c = padSequences(seqs, { maxlen: 2 });
    expect(c.arraySync()).toEqual([
      [0, 1],
      [2, 3],
      [5, 6],
    ]);
    const d = padSequences(seqs, { maxlen: 2, truncating: 'post', padding: 'post' });
    expect(d.arraySync()).toEqual([
      [1, 0],
      [2, 3],
      [4, 5],
    ]);
    for (const t of [a, b, c, d]) t.dispose();
  });
  it('keeps empty sequences as all padding and longer maxlen pads everything', () => {
    const t = padSequences([[], [7, 8]], { maxlen: 4 });
    expect(t.arraySync()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 7, 8],
    ]);
    t.dispose();
  });
  it('int32 truncates float values toward zero; float32 keeps them', () => {
    const i = padSequences([[1.7, -2.7]], { maxlen: 3, value: 0.5 });
    expect(i.arraySync()).toEqual([[0, 1, -2]]);
    const f = padSequences([[1.5, -2.25]], { maxlen: 3, value: 0.5, dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expect(f.arraySync()).toEqual([[0.5, 1.5, -2.25]]);
    i.dispose();
    f.dispose();
  });
  it('pads sequences of vectors (sample shape from the first non-empty one)', () => {
    const t = padSequences([[], [[1, 2]], [[3, 4], [5, 6], [7, 8]]], { maxlen: 2, padding: 'post' });
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.arraySync()).toEqual([
      [
        [0, 0],
        [0, 0],
      ],
      [
        [1, 2],
        [0, 0],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    t.dispose();
  });
  it('pads strings with dtype string', () => {
    const t = padSequences([['a'], ['b', 'c']], { dtype: 'string', value: '<pad>' });
    expect(t.arraySync()).toEqual([
      ['<pad>', 'a'],
      ['b', 'c'],
    ]);
    t.dispose();
  });
  it('errors name the argument', () => {
    expect(() => padSequences(seqs, { padding: 'middle' as never })).toThrow(/Padding type "middle"/);
    expect(() => padSequences(seqs, { truncating: 'x' as never })).toThrow(/Truncating type "x"/);
    expect(() => padSequences(seqs, { value: 'pad' })).toThrow(/`dtype` int32 is not compatible with `value`/);
    expect(() => padSequences([[1], 5 as never])).toThrow(/non-iterable at position 1/);
    expect(() => padSequences([[[1, 2]], [[1, 2, 3]]])).toThrow(/position 1 is different from expected shape \(2\)/);
    expect(() => padSequences(seqs, { maxlen: -1 })).toThrow(/maxlen/);
  });
  it('leaks no tensors beyond the result', () => {
    const before = memory().numTensors;
    const t = padSequences(seqs);
    expect(memory().numTensors).toBe(before + 1);
    t.dispose();
    tensor([1]).dispose();
    expect(memory().numTensors).toBe(before);
  });
});
