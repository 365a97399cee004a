import { type Config, KerasTensor, ShapeError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { L2 } from '../regularizers/l1l2';
import {
  cloneWithWeights,
  fixtureInputs,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  projectedSum,
  randomTensor,
  weightGradError,
} from '../testing/layer-checks';
import { Dense } from './dense';

function withoutSharedIds(config: Config): Config {
  return JSON.parse(JSON.stringify(config, (k, v) => (k === 'shared_object_id' ? undefined : v)));
}

describe('Dense', () => {
  it('matches the Keras mlp fixture layer by layer', () => {
    const [x] = fixtureInputs('mlp');
    const d1 = new Dense(10, { activation: 'relu', name: 'dense_1' });
    const d2 = new Dense({ units: 3, activation: 'softmax' });
    tidy(() => {
      d1.apply(x!);
      d1.setWeights(fixtureLayerWeights('mlp', 'dense_1'));
      const h = d1.apply(x!);
      expectAllClose(h, fixtureLayerOutput('mlp', 'dense_1'), { atol: 1e-5, rtol: 1e-4 });
      d2.apply(h);
      d2.setWeights(fixtureLayerWeights('mlp', 'dense_2'));
      expectAllClose(d2.apply(h), fixtureLayerOutput('mlp', 'dense_2'), { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('matches the Keras cnn fixture head (Dense(5, softmax) on the flattened features)', () => {
    const d = new Dense(5, { activation: 'softmax' });
    tidy(() => {
      const flat = fixtureLayerOutput('cnn', 'flatten');
      d.apply(flat);
      d.setWeights(fixtureLayerWeights('cnn', 'dense'));
      expectAllClose(d.apply(flat), fixtureLayerOutput('cnn', 'dense'), { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('contracts the last axis of rank > 2 inputs (hand-computed)', () => {
    const d = new Dense(2, { kernelInitializer: 'ones', biasInitializer: 'zeros' });
    tidy(() => {
      const x = tensor([[[1, 2, 3], [4, 5, 6]]]); // (1, 2, 3)
      d.apply(x);
      d.setWeights([tensor([[1, 0], [0, 1], [1, -1]]), tensor([0.5, -0.5])]);
      const y = d.apply(x);
      expect(y.shape).toEqual([1, 2, 2]);
      expectAllClose(y, [[[1 + 3 + 0.5, 2 - 3 - 0.5], [4 + 6 + 0.5, 5 - 6 - 0.5]]]);
      expect(d.computeOutputShape([null, 7, 3])).toEqual([null, 7, 2]);
    });
  });

  it('creates kernel (in, units) and bias (units) with Keras defaults; useBias=false drops the bias', () => {
    const d = new Dense(4);
    tidy(() => d.apply(tensor([[1, 2, 3]])));
    expect(d.weights.map((w) => [w.name, w.shape])).toEqual([
      ['kernel', [3, 4]],
      ['bias', [4]],
    ]);
    expect(Array.from(d.bias!.dataSync())).toEqual([0, 0, 0, 0]);
    const limit = Math.sqrt(6 / 7);
    for (const v of d.kernel!.dataSync()) expect(Math.abs(v)).toBeLessThanOrEqual(limit);
    const nb = new Dense(4, { useBias: false });
    tidy(() => nb.apply(tensor([[1, 2, 3]])));
    expect(nb.weights.map((w) => w.name)).toEqual(['kernel']);
    expect(() => new Dense(0)).toThrow(/units/);
    expect(() => new Dense({} as never)).toThrow(/units/);
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const d = new Dense(3, { activation: 'tanh', kernelInitializer: 'glorot_normal', biasInitializer: 'random_normal' });
    const x = randomTensor([2, 4], 3);
    tidy(() => d.apply(x));
    expect(gradientError((t) => projectedSum(d.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(d, x)).toBeLessThan(1e-2);
    const s = new Dense(3, { activation: 'softmax' });
    tidy(() => s.apply(x));
    expect(weightGradError(s, x)).toBeLessThan(1e-2);
  });

  it('config matches Keras key for key and round-trips', () => {
    const d = new Dense(10, { activation: 'relu', name: 'dense_1' });
    const x = randomTensor([5, 4], 1);
    tidy(() => d.apply(x));
    const keras = withoutSharedIds(fixtureLayerConfig('mlp', 'dense_1'));
    expect(d.getConfig()).toEqual(keras);
    expect(Object.keys(d.getConfig()).sort()).toEqual(Object.keys(keras).sort());
    expect(Object.keys(new Dense(3).getConfig()).sort()).toEqual(Object.keys(fixtureLayerConfig('cnn', 'dense')).sort());
    // Keras' config (a real one, from the fixture) builds a Dense.
    const fromKeras = Dense.fromConfig(fixtureLayerConfig('mlp', 'dense_2'));
    expect([fromKeras.units, fromKeras.name, fromKeras.activation.activationName]).toEqual([3, 'dense_2', 'softmax']);
    const clone = cloneWithWeights(d, x);
    expect(clone.getConfig()).toEqual(d.getConfig());
    tidy(() => expectAllClose(clone.apply(x), d.apply(x), { atol: 0 }));
    // Non-default regularizers/constraints/initializers survive the round trip too.
    const r = new Dense(2, { kernelRegularizer: new L2(0.1), biasConstraint: 'non_neg', kernelInitializer: 'he_normal', useBias: true });
    const again = Dense.fromConfig(JSON.parse(JSON.stringify(r.getConfig())));
    expect(again.getConfig()).toEqual({ ...r.getConfig(), name: again.name });
  });

  it('adds kernel regularization to losses', () => {
    const d = new Dense(2, { kernelRegularizer: 'l2', kernelInitializer: 'ones' });
    tidy(() => {
      d.apply(tensor([[1, 2, 3]]));
      expect(d.losses.length).toBe(1);
      expectAllClose(d.losses[0]!, 0.01 * 6);
    });
  });

  it('rejects a wrong last dim or rank with the layer name and both shapes', () => {
    const d = new Dense(3, { name: 'probe_dense' });
    tidy(() => d.apply(tensor([[1, 2, 3, 4]])));
    const call = (shape: number[]) => () => tidy(() => d.apply(randomTensor(shape)));
    expect(call([2, 5])).toThrow(ShapeError);
    expect(call([2, 5])).toThrow(/probe_dense.*\(None, 4\).*\(2, 5\)/);
    expect(call([4])).toThrow(/probe_dense.*\(None, 4\).*\(4,\)/);
    // Unbuilt layers check the rank before building.
    const fresh = new Dense(3, { name: 'fresh_dense' });
    expect(() => tidy(() => fresh.apply(tensor([1, 2, 3])))).toThrow(/fresh_dense.*min_ndim=2.*\(3,\)/);
    expect(fresh.weights.length).toBe(0);
  });

  it('symbolic call gives a KerasTensor of the output shape', () => {
    const d = new Dense(8);
    const y = d.apply(Input({ shape: [4] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 8]);
    expect(new Dense(2).apply(Input({ shape: [5, 4] })).shape).toEqual([null, 5, 2]);
    expect(() => d.apply(Input({ shape: [5] }))).toThrow(/\(None, 4\).*\(None, 5\)/);
  });

  it('leaves no tensors behind', async () => {
    const d = new Dense(3, { activation: 'softmax', kernelRegularizer: 'l1' });
    const x = randomTensor([2, 4]);
    tidy(() => d.apply(x));
    expect(await tensorLeak(() => tidy(() => { d.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => d.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
