import { type KerasTensor, type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { Input } from './input-layer';
import { EinsumDense } from './einsum-dense';

/** Float64 einsum of two operands by brute force over every label assignment. */
function einsumRef(eq: string, x: Tensor, w: Tensor): number[] {
  const [lhs, out] = eq.split('->') as [string, string];
  const [xs, ws] = lhs.split(',') as [string, string];
  const size = new Map<string, number>();
  for (let i = 0; i < xs.length; i++) size.set(xs[i]!, x.shape[i]!);
  for (let i = 0; i < ws.length; i++) size.set(ws[i]!, w.shape[i]!);
  const labels = [...size.keys()];
  const xd = x.dataSync();
  const wd = w.dataSync();
  const outSize = [...out].reduce((p, c) => p * size.get(c)!, 1);
  const res = new Array<number>(outSize).fill(0);
  const idx = new Map<string, number>();
  const flat = (spec: string) => [...spec].reduce((p, c) => p * size.get(c)! + idx.get(c)!, 0);
  const visit = (k: number) => {
    if (k === labels.length) {
      res[flat(out)]! += xd[flat(xs)]! * wd[flat(ws)]!;
      return;
    }
    for (let i = 0; i < size.get(labels[k]!)!; i++) {
      idx.set(labels[k]!, i);
      visit(k + 1);
    }
  };
  visit(0);
  return res;
}

describe('EinsumDense', () => {
  it('matches brute-force einsum for Keras equations, with the Keras kernel/bias shapes', () => {
    const cases: [string, number[], (number | null)[], string | null, number[], number[] | null, string][] = [
      ['ab,bc->ac', [2, 3], [4], 'c', [3, 4], [4], 'ab,bc->ac'],
      ['abc,cd->abd', [2, 3, 4], [3, 5], 'd', [4, 5], [5], 'abc,cd->abd'],
      ['abc,cde->abde', [2, 3, 4], [3, 2, 5], 'de', [4, 2, 5], [2, 5], 'abc,cde->abde'],
      ['abcd,cde->abe', [2, 3, 2, 4], [3, 5], 'e', [2, 4, 5], [5], 'abcd,cde->abe'],
      ['...b,bc->...c', [2, 3, 4], [5], 'c', [4, 5], [5], 'fgb,bc->fgc'],
      ['ab...,bc->ac...', [2, 3, 4], [5], 'c', [3, 5], [5, 1], 'abf,bc->acf'],
      ['abc,dc->abd', [2, 3, 4], [null, 5], null, [5, 4], null, 'abc,dc->abd'],
    ];
    for (const [eq, xShape, outShape, biasAxes, kShape, bShape, explicit] of cases) {
      const layer = new EinsumDense(eq, outShape, { biasAxes, biasInitializer: 'random_normal' });
      tidy(() => {
        const x = randomTensor(xShape, 3);
        const y = layer.apply(x);
        expect(layer.weights.map((w) => w.shape)).toEqual(bShape == null ? [kShape] : [kShape, bShape]);
        const ref = einsumRef(explicit, x, layer.kernel!.value);
        const refT = layer.bias != null ? ops.add(tensor(ref, y.shape), layer.bias.value) : tensor(ref, y.shape);
        expectAllClose(y, refT, { atol: 1e-5 });
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...y.shape.slice(1)]);
      });
    }
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    for (const [eq, xShape, outShape, biasAxes] of [
      ['abc,cde->abde', [2, 2, 3], [2, 2, 2], 'de'],
      ['ab...,bc->ac...', [2, 3, 2], [2], 'c'],
    ] as [string, number[], number[], string][]) {
      const layer = new EinsumDense(eq, outShape, { biasAxes, activation: 'tanh', biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 2);
      tidy(() => layer.apply(x));
      expect(gradientError((t) => projectedSum(layer.apply(t) as unknown as Tensor), [x], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradError(layer, x)).toBeLessThan(1e-2);
      x.dispose();
    }
  });

  it('config matches Keras keys and round-trips', () => {
    const layer = new EinsumDense('abc,cd->abd', [null, 4], { biasAxes: 'd', activation: 'relu', name: 'ed' });
    const x = randomTensor([2, 3, 5]);
    const config = layer.getConfig();
    expect(Object.keys(config).sort()).toEqual(
      [
        'name', 'trainable', 'dtype', 'output_shape', 'equation', 'activation', 'bias_axes', 'kernel_initializer', 'bias_initializer',
        'kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint',
      ].sort(),
    );
    expect([config.equation, config.output_shape, config.bias_axes]).toEqual(['abc,cd->abd', [null, 4], 'd']);
    expect(new EinsumDense('ab,bc->ac', 3).getConfig().output_shape).toEqual([3]);
    const clone = cloneWithWeights(layer, x);
    expect(clone.getConfig()).toEqual(config);
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    const fromKeras = EinsumDense.fromConfig({ name: 'k', equation: 'ab,bc->ac', output_shape: [7], bias_axes: null });
    expect(fromKeras.partialOutputShape).toEqual([7]);
    x.dispose();
  });

  it('rejects bad equations and shapes with Keras messages and the layer name', () => {
    expect(() => new EinsumDense('abc', [3])).toThrow(/Invalid einsum equation 'abc'/);
    expect(() => tidy(() => new EinsumDense('ab,bc->ac', [3], { biasAxes: 'x' }).apply(randomTensor([2, 4])))).toThrow(/Bias dimension 'x'/);
    expect(() => tidy(() => new EinsumDense('ab,bc->ad', [3]).apply(randomTensor([2, 4])))).toThrow(/Dimension 'd'/);
    expect(() => tidy(() => new EinsumDense('abc,cd->abd', [5, 3]).apply(randomTensor([2, 4, 6])))).toThrow(/shared dimension 'b'/);
    const layer = new EinsumDense('abc,cd->abd', [null, 3], { name: 'probe_ed' });
    tidy(() => layer.apply(randomTensor([2, 4, 6])));
    expect(() => tidy(() => layer.apply(randomTensor([2, 4, 5])))).toThrow(/probe_ed.*\(2, 4, 6\).*\(2, 4, 5\)/);
    expect(() => tidy(() => new EinsumDense('abc,cd->abd', [null, 3], { name: 'r_ed' }).apply(randomTensor([2, 4])))).toThrow(/r_ed.*\(2, 4\)/);
  });

  it('symbolic call and no leaks', async () => {
    const layer = new EinsumDense('abc,cde->abde', [null, 2, 3], { biasAxes: 'de' });
    const y = layer.apply(Input({ shape: [5, 4] })) as KerasTensor;
    expect(y.shape).toEqual([null, 5, 2, 3]);
    const x = randomTensor([2, 5, 4]);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
