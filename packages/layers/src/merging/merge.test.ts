import { type Config, KerasTensor, ShapeError, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import { Add } from './add';
import { Average } from './average';
import { Maximum } from './maximum';
import { Minimum } from './minimum';
import { Multiply } from './multiply';
import { Subtract } from './subtract';

function withoutSharedIds(config: Config): Config {
  return JSON.parse(JSON.stringify(config, (k, v) => (k === 'shared_object_id' ? undefined : v)));
}

describe('elementwise merge layers', () => {
  it('Add matches the Keras mnv2_block fixture (stem_relu + project_bn), config equal', () => {
    const add = Add.fromConfig(fixtureLayerConfig('mnv2_block', 'add'));
    tidy(() => {
      const y = add.apply([fixtureLayerOutput('mnv2_block', 'stem_relu'), fixtureLayerOutput('mnv2_block', 'project_bn')]) as Tensor;
      expectAllClose(y, fixtureLayerOutput('mnv2_block', 'add'), { atol: 1e-6 });
    });
    expect(add.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'add')));
  });

  it('computes each op on 3 inputs with broadcasting (hand-computed)', () => {
    tidy(() => {
      const a = tensor([[1, 5], [3, -2]]);
      const b = tensor([[2, 2], [2, 2]]);
      const c = tensor([[0], [4]]); // (2, 1) broadcasts over the last axis
      const run = (l: { apply(x: Tensor[]): unknown }) => l.apply([a, b, c]) as Tensor;
      expectAllClose(run(new Add()), [[3, 7], [9, 4]]);
      expectAllClose(run(new Multiply()), [[0, 0], [24, -16]]);
      expectAllClose(run(new Average()), [[1, 7 / 3], [3, 4 / 3]], { atol: 1e-6 });
      expectAllClose(run(new Maximum()), [[2, 5], [4, 4]]);
      expectAllClose(run(new Minimum()), [[0, 0], [2, -2]]);
      expectAllClose(new Subtract().apply([a, b]) as Tensor, [[-1, 3], [1, -4]]);
      // Lower-rank inputs get axes after the batch axis: (2, 2) + (2, 3, 2).
      const d = tensor([[[1, 1], [2, 2], [3, 3]], [[0, 0], [0, 0], [0, 0]]]);
      const y = new Add().apply([a, d]) as Tensor;
      expect(y.shape).toEqual([2, 3, 2]);
      expectAllClose(y, [[[2, 6], [3, 7], [4, 8]], [[3, -2], [3, -2], [3, -2]]]);
    });
  });

  it('gradients w.r.t. every input match finite differences', () => {
    // Disjoint ranges keep max/min away from ties, where finite differences are meaningless.
    const xs = [randomTensor([2, 3], 1, -3, -1), randomTensor([2, 3], 2, -0.5, 0.5), randomTensor([2, 3], 3, 1, 3)];
    for (const layer of [new Add(), new Multiply(), new Average(), new Maximum(), new Minimum()]) {
      expect(gradientError((...t) => projectedSum(layer.apply(t) as Tensor), xs, 1e-3)).toBeLessThan(1e-2);
    }
    const sub = new Subtract();
    expect(gradientError((p, q) => projectedSum(sub.apply([p!, q!]) as Tensor), xs.slice(0, 2), 1e-3)).toBeLessThan(1e-2);
    for (const x of xs) x.dispose();
  });

  it('config round-trips; computeOutputShape equals the actual shape; symbolic calls', () => {
    for (const Cls of [Add, Multiply, Average, Maximum, Minimum, Subtract]) {
      const layer = new Cls({ name: `m_${Cls.className}` });
      expect(Object.keys(layer.getConfig()).sort()).toEqual(['dtype', 'name', 'trainable']);
      expect((Cls as typeof Add).fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
      tidy(() => {
        const y = layer.apply([randomTensor([2, 1, 3]), randomTensor([2, 4, 1])]) as Tensor;
        expect(y.shape).toEqual(layer.computeOutputShape([[2, 1, 3], [2, 4, 1]]));
        expect(y.shape).toEqual([2, 4, 3]);
      });
    }
    const y = new Add().apply([Input({ shape: [4] }), Input({ shape: [4] })]) as KerasTensor;
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 4]);
    expect(new Multiply().computeOutputShape([[null, 3], [5, 1]])).toEqual([5, 3]);
  });

  it('mismatched shapes, batch sizes and input counts throw naming the layer and the shapes', () => {
    const add = new Add({ name: 'probe_add' });
    expect(() => tidy(() => add.apply([tensor([[1, 2]]), tensor([[1, 2, 3]])]))).toThrow(ShapeError);
    expect(() => tidy(() => add.apply([tensor([[1, 2]]), tensor([[1, 2, 3]])]))).toThrow(/probe_add.*\(2,\).*\(3,\).*\(1, 2\), \(1, 3\)/);
    expect(() => new Add({ name: 'sym_add' }).apply([Input({ shape: [2, 3] }), Input({ shape: [4, 3] })])).toThrow(
      /sym_add.*\(None, 2, 3\), \(None, 4, 3\)/,
    );
    expect(() => tidy(() => new Maximum({ name: 'bmax' }).apply([randomTensor([2, 3]), randomTensor([3, 3])]))).toThrow(/bmax.*batch sizes.*\(2, 3\), \(3, 3\)/);
    expect(() => tidy(() => new Subtract({ name: 'sub3' }).apply([randomTensor([1, 2]), randomTensor([1, 2]), randomTensor([1, 2])]))).toThrow(
      /sub3.*exactly 2 inputs/,
    );
  });

  it('masks: the output mask is the OR of the input masks (Keras Merge.compute_mask)', () => {
    const add = new Add();
    const x = tensor([[1, 2, 3]]);
    tidy(() => {
      const m = add.computeMask([x, x], [tensor([[1, 1, 0]], undefined, 'bool'), tensor([[1, 0, 0]], undefined, 'bool')]);
      expect(Array.from((m as Tensor).dataSync())).toEqual([1, 1, 0]);
    });
    expect(add.computeMask([x, x], null)).toBeNull();
    x.dispose();
  });

  it('leaves no tensors behind (including rank alignment)', async () => {
    const a = randomTensor([2, 3]);
    const b = randomTensor([2, 4, 3]);
    for (const layer of [new Add(), new Average(), new Subtract()]) {
      expect(await tensorLeak(() => (layer.apply([a, b]) as Tensor).dispose())).toBe(0);
    }
    a.dispose();
    b.dispose();
  });
});
