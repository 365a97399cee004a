import { type Config, KerasTensor, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { getMask } from '../layer';
import {
  cloneWithWeights,
  fixtureInputs,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  weightGradError,
} from '../testing/layer-checks';
import { Embedding } from './embedding';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

describe('Embedding', () => {
  it('matches the Keras lstm fixture (Embedding(50, 8) on int32 tokens)', () => {
    const [tokens] = fixtureInputs('lstm');
    expect(tokens!.dtype).toBe('int32');
    const emb = new Embedding(50, 8, { weights: fixtureLayerWeights('lstm', 'embedding')[0] });
    tidy(() => expectAllClose(emb.apply(tokens!), fixtureLayerOutput('lstm', 'embedding'), { atol: 1e-6 }));
  });

  it('looks up rows; float indices are cast to int32 (hand-computed)', () => {
    const emb = new Embedding({ inputDim: 3, outputDim: 2 });
    tidy(() => {
      emb.apply(tensor([[0]]));
      emb.setWeights([tensor([[1, 2], [3, 4], [5, 6]])]);
      const y = emb.apply(tensor([[2, 0], [1, 1]]));
      expect(y.shape).toEqual([2, 2, 2]);
      expectAllClose(y, [[[5, 6], [1, 2]], [[3, 4], [3, 4]]]);
    });
    expect(emb.weights.map((w) => [w.name, w.shape])).toEqual([['embeddings', [3, 2]]]);
  });

  it('defaults to RandomUniform(-0.05, 0.05) embeddings', () => {
    const emb = new Embedding(20, 10);
    tidy(() => emb.apply(tensor([[1]])));
    const d = emb.embeddings!.dataSync();
    for (const v of d) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    expect(new Set(d).size).toBeGreaterThan(150);
  });

  it('mask_zero: the output carries the mask inputs != 0', () => {
    const emb = new Embedding(5, 2, { maskZero: true });
    tidy(() => {
      const y = emb.apply(tensor([[0, 3, 0], [1, 2, 4]], undefined, 'int32'));
      expectAllClose(getMask(y)!, [[0, 1, 0], [1, 1, 1]]);
      expect(getMask(new Embedding(5, 2).apply(tensor([[0, 1]])))).toBeNull();
    });
  });

  it('embedding gradients match finite differences', () => {
    const emb = new Embedding(4, 3, { embeddingsInitializer: 'random_normal' });
    const ids = tensor([[0, 2, 2], [3, 1, 0]], undefined, 'int32');
    tidy(() => emb.apply(ids));
    expect(weightGradError(emb, ids)).toBeLessThan(1e-2);
  });

  it('config matches Keras key for key and round-trips', () => {
    const emb = new Embedding(50, 8, { name: 'embedding' });
    expect(emb.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('lstm', 'embedding')));
    expect(Object.keys(emb.getConfig()).sort()).toEqual(Object.keys(fixtureLayerConfig('lstm', 'embedding')).sort());
    const ids = tensor([[1, 4, 0]], undefined, 'int32');
    const clone = cloneWithWeights(emb, ids);
    tidy(() => expectAllClose(clone.apply(ids), emb.apply(ids), { atol: 0 }));
    const masked = Embedding.fromConfig(new Embedding(3, 2, { maskZero: true, embeddingsRegularizer: 'l2' }).getConfig());
    expect([masked.maskZero, masked.embeddingsRegularizer?.constructor.name]).toEqual([true, 'L2']);
    expect(() => new Embedding(0, 3)).toThrow(/input_dim/);
  });

  it('symbolic call gives (*input_shape, output_dim) in float32; no tensor leak', async () => {
    const y = new Embedding(10, 4).apply(Input({ shape: [7], dtype: 'int32' }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 7, 4]);
    expect(y.dtype).toBe('float32');
    const emb = new Embedding(6, 3, { maskZero: true });
    const ids = tensor([[0, 5, 2]]);
    tidy(() => emb.apply(ids));
    expect(await tensorLeak(() => tidy(() => { emb.apply(ids); }))).toBe(0);
    ids.dispose();
  });
});

describe('Embedding masks in eager calls', () => {
  it('frees the mask with the output, and ignores a mask whose scope ended', async () => {
    const { memory, tensor: t, tidy: td } = await import('@strata/core');
    const { getMask } = await import('../layer');
    const layer = new Embedding(5, 2, { maskZero: true });
    const x = t([[1, 0]], undefined, 'int32');
    layer.apply(x).dispose(); // builds the layer
    const before = memory().numTensors;
    const y = layer.apply(x);
    expect(Array.from(getMask(y)!.dataSync())).toEqual([1, 0]);
    y.dispose();
    expect(memory().numTensors).toBe(before);
    const kept = td(() => layer.apply(x));
    expect(getMask(kept)).toBeNull();
    kept.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
