import { describe, expect, it } from 'vitest';
import { MersenneTwister, numpyShuffle, pythonRound, pythonShuffle } from './random-state';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// Reference permutations printed by NumPy 2.4 (`np.random.RandomState(s).shuffle(x)`) and
// CPython 3 (`random.seed(s); random.shuffle(x)`) on x = list(range(n)).
describe('MersenneTwister', () => {
  it('init_genrand(5489) gives the reference MT19937 stream', () => {
    const g = MersenneTwister.fromSeed(5489);
    expect([g.nextUint32(), g.nextUint32(), g.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
  });
  it('regenerates the state after 624 draws', () => {
    const g = MersenneTwister.fromSeed(1);
    const values = new Set<number>();
    for (let i = 0; i < 2000; i++) values.add(g.nextUint32());
    expect(values.size).toBeGreaterThan(1990);
  });
});

describe('numpyShuffle', () => {
  it.each([
    [0, 10, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]],
    [
      42,
      37,
      [17, 13, 4, 29, 35, 25, 6, 26, 24, 16, 8, 15, 12, 32, 9, 19, 0, 31, 5, 11, 1, 27, 21, 2, 36, 34, 3, 33, 23, 30, 10, 22, 18, 20, 7, 14, 28],
    ],
    [1337, 5, [3, 2, 1, 0, 4]],
    [123456, 10, [8, 7, 6, 4, 5, 3, 0, 9, 2, 1]],
  ])('seed %i, n=%i matches RandomState.shuffle', (seed, n, expected) => {
    expect(numpyShuffle(range(n), seed)).toEqual(expected);
  });
  it('leaves 0 and 1 elements alone and rejects bad seeds', () => {
    expect(numpyShuffle([], 3)).toEqual([]);
    expect(numpyShuffle(['a'], 3)).toEqual(['a']);
    expect(() => numpyShuffle([1, 2], -1)).toThrow(/seed/);
    expect(() => numpyShuffle([1, 2], 1.5)).toThrow(/seed=1.5/);
  });
});

describe('pythonShuffle', () => {
  it.each([
    [0, 10, [7, 8, 1, 5, 3, 4, 2, 0, 9, 6]],
    [
      42,
      37,
      [5, 20, 12, 9, 22, 26, 27, 4, 24, 29, 33, 31, 32, 10, 11, 19, 28, 16, 36, 6, 25, 0, 35, 13, 18, 2, 34, 30, 21, 3, 23, 8, 14, 15, 17, 1, 7],
    ],
    [1337, 5, [1, 0, 3, 2, 4]],
    [2 ** 33 + 5, 10, [7, 1, 0, 3, 9, 8, 6, 5, 2, 4]],
  ])('seed %i, n=%i matches random.shuffle', (seed, n, expected) => {
    expect(pythonShuffle(range(n), seed)).toEqual(expected);
  });
});

describe('pythonRound', () => {
  it('rounds half to even like Python', () => {
    expect([2.5, 0.5, 3.5, 1.5, -2.5, 2.4, 2.6].map(pythonRound)).toEqual([2, 0, 4, 2, -2, 2, 3]);
  });
});
