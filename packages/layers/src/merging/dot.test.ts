import { KerasTensor, ShapeError, type Tensor, ValueError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { projectedSum, randomTensor } from '../testing/layer-checks';
import { Dot } from './dot';
import { add, average, concatenate, dot, maximum, minimum, multiply, subtract } from './functions';

describe('Dot', () => {
  it('batchwise dot products (hand-computed), normalize gives cosine similarity', () => {
    tidy(() => {
      const a = tensor([[1, 2], [3, 4]]);
      const b = tensor([[5, 6], [7, 8]]);
      const y = new Dot(1).apply([a, b]) as Tensor;
      expect(y.shape).toEqual([2, 1]);
      expectAllClose(y, [[17], [53]]);
      const c = new Dot({ axes: -1, normalize: true }).apply([a, b]) as Tensor;
      expectAllClose(c, [[17 / Math.sqrt(5 * 61)], [53 / Math.sqrt(25 * 113)]], { atol: 1e-6 });
      // (1, 2, 3) . (1, 2, 2) over axes (1, 1) -> (1, 3, 2) = x^T y per sample.
      const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
      const z = tensor([[[1, 0], [0, 1]]]);
      expectAllClose(new Dot([1, 1]).apply([x, z]) as Tensor, [[[1, 4], [2, 5], [3, 6]]]);
      // (1, 2, 3) . (1, 3, 2) over (2, 1) -> (1, 2, 2) = batched matmul.
      const w = tensor([[[1, 0], [0, 1], [1, 1]]]);
      expectAllClose(new Dot([2, 1]).apply([x, w]) as Tensor, [[[4, 5], [10, 11]]]);
    });
  });

  it('rank-4 inputs and computeOutputShape equal the actual shape', () => {
    const d = new Dot([3, 1]);
    tidy(() => {
      const y = d.apply([randomTensor([2, 3, 4, 5]), randomTensor([2, 5, 6])]) as Tensor;
      expect(y.shape).toEqual(d.computeOutputShape([[2, 3, 4, 5], [2, 5, 6]]));
      expect(y.shape).toEqual([2, 3, 4, 6]);
    });
    expect((new Dot(-1).apply([Input({ shape: [3, 4] }), Input({ shape: [2, 4] })]) as KerasTensor).shape).toEqual([null, 3, 2]);
  });

  it('gradients w.r.t. both inputs match finite differences', () => {
    const d = new Dot({ axes: [2, 1], normalize: true });
    const xs = [randomTensor([2, 2, 3], 1), randomTensor([2, 3, 2], 2)];
    expect(gradientError((p, q) => projectedSum(d.apply([p!, q!]) as Tensor), xs, 1e-3)).toBeLessThan(1e-2);
    for (const x of xs) x.dispose();
  });

  it('config (axes, normalize) round-trips; bad axes and shapes throw naming the layer', async () => {
    const d = new Dot([1, 2], { normalize: true, name: 'probe_dot' });
    const config = d.getConfig();
    expect(Object.keys(config).sort()).toEqual(['axes', 'dtype', 'name', 'normalize', 'trainable']);
    expect(Dot.fromConfig(config).getConfig()).toEqual(config);
    expect(() => new Dot([1, 2, 3] as never)).toThrow(ValueError);
    expect(() => new Dot('x' as never)).toThrow(/axes/);
    expect(() => tidy(() => d.apply([randomTensor([2, 3, 4]), randomTensor([2, 4, 5])]))).toThrow(ShapeError);
    expect(() => tidy(() => d.apply([randomTensor([2, 3, 4]), randomTensor([2, 4, 5])]))).toThrow(/probe_dot.*\(2, 3, 4\), \(2, 4, 5\)/);
    const x = randomTensor([2, 3]);
    expect(await tensorLeak(() => (new Dot(1).apply([x, x]) as Tensor).dispose())).toBe(0);
    x.dispose();
  });
});

describe('merge functions', () => {
  it('add, subtract, multiply, average, maximum, minimum, dot, concatenate', () => {
    tidy(() => {
      const a = tensor([[1, 4]]);
      const b = tensor([[3, 2]]);
      expectAllClose(add([a, b]), [[4, 6]]);
      expectAllClose(subtract([a, b]), [[-2, 2]]);
      expectAllClose(multiply([a, b]), [[3, 8]]);
      expectAllClose(average([a, b]), [[2, 3]]);
      expectAllClose(maximum([a, b]), [[3, 4]]);
      expectAllClose(minimum([a, b]), [[1, 2]]);
      expectAllClose(dot([a, b]), [[11]]);
      expectAllClose(concatenate([a, b]), [[1, 4, 3, 2]]);
      expectAllClose(concatenate([a, b], 0), [[1, 4], [3, 2]]);
    });
    const y = add([Input({ shape: [3] }), Input({ shape: [3] })], { name: 'fn_add' });
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 3]);
  });
});
