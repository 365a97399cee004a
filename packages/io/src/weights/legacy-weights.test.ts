import { memory } from '@strata/core';
import { Dense, Dropout, Input, clearSession } from '@strata/layers';
import { type Model, Sequential } from '@strata/models';
import { fixtureWeights } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FormatError } from '../errors';
import { readChunkedStringList } from '../h5/attributes';
import { readH5, writeH5 } from '../h5/h5-file';
import { readLegacyWeights, readLegacyWeightsFrom, writeLegacyWeights, writeLegacyWeightsInto } from './legacy-weights';
import { FIXTURES, expectFixtureOutputs, fixtureBytes, fixtureTree, h5Tree, modelFromFixture } from './test-helpers';

async function weightValues(model: Model): Promise<number[][]> {
  return Promise.all(model.weights.map(async (v) => Array.from(await v.data())));
}

/** The tree without the `name` attributes (legacy files have none) and with Keras' float64 `weight_names=[]` irrelevant. */
const shapeOnly = (t: { path: string; kind: string; shape?: number[]; dtype?: string }[]) => t.map(({ path, kind, shape, dtype }) => ({ path, kind, shape, dtype }));

describe('legacy weights .h5', () => {
  beforeEach(() => clearSession());
  afterEach(() => vi.restoreAllMocks());

  for (const name of FIXTURES) {
    it(`${name}: Keras' model.legacy_weights.h5 loads (topologically) and predicts Keras' outputs`, async () => {
      const model = modelFromFixture(name);
      const before = memory().numTensors;
      await readLegacyWeights(model, fixtureBytes(name, 'model.legacy_weights.h5'), { filename: 'model.legacy_weights.h5' });
      expect(memory().numTensors).toBe(before);
      const want = fixtureWeights(name);
      (await weightValues(model)).forEach((g, i) => {
        expect(g).toEqual(Array.from(Float32Array.from(want[i]!.data)));
      });
      expectFixtureOutputs(model, name);
    });

    it(`${name}: the weights inside Keras' full-model model.h5 load (model_weights, found by itself or named)`, async () => {
      const model = modelFromFixture(name);
      await readLegacyWeights(model, fixtureBytes(name, 'model.h5'));
      expectFixtureOutputs(model, name);
      const named = modelFromFixture(name);
      await readLegacyWeights(named, fixtureBytes(name, 'model.h5'), { group: 'model_weights', byName: true });
      expectFixtureOutputs(named, name);
    });

    it(`${name}: by name, Keras' file loads too`, async () => {
      const model = modelFromFixture(name);
      await readLegacyWeights(model, fixtureBytes(name, 'model.legacy_weights.h5'), { byName: true });
      expectFixtureOutputs(model, name);
    });

    it(`${name}: what we write has Keras' group/dataset tree and reads back bit for bit`, async () => {
      const model = modelFromFixture(name);
      await readLegacyWeights(model, fixtureBytes(name, 'model.legacy_weights.h5'));
      const bytes = await writeLegacyWeights(model);
      expect(shapeOnly(await h5Tree(bytes))).toEqual(shapeOnly(fixtureTree(name, 'model.legacy_weights.h5')));
      const fresh = modelFromFixture(name);
      await readLegacyWeights(fresh, bytes);
      expect(await weightValues(fresh)).toEqual(await weightValues(model));
      // The root attributes Keras reads.
      const attrs = await readH5(bytes, 'x', (root) => ({
        layerNames: readChunkedStringList(root, 'layer_names'),
        weightNames: root.requireGroup(model.layers.find((l) => l.weights.length > 0)!.name).stringListAttr('weight_names'),
        version: root.stringAttr('keras_version'),
      }));
      expect(attrs.layerNames).toEqual(model.layers.map((l) => l.name));
      expect(attrs.weightNames).toEqual(model.layers.find((l) => l.weights.length > 0)!.weights.map((w) => w.path));
      expect(attrs.version).toBe('3.15.1');
    });
  }

  it("full-model files: writeLegacyWeightsInto/readLegacyWeightsFrom on a model_weights group match Keras' model.h5 layout", async () => {
    const model = modelFromFixture('functional');
    await readH5(fixtureBytes('functional', 'model.h5'), 'model.h5', (root) => readLegacyWeightsFrom(root.requireGroup('model_weights'), model));
    expectFixtureOutputs(model, 'functional');
    const bytes = await writeH5(async (root) => {
      await writeLegacyWeightsInto(root.createGroup('model_weights'), model);
    });
    const sub = (t: { path: string; kind: string; shape?: number[]; dtype?: string }[]) => shapeOnly(t.filter((e) => e.path.startsWith('/model_weights')));
    expect(sub(await h5Tree(bytes))).toEqual(sub(fixtureTree('functional', 'model.h5')));
    const fresh = modelFromFixture('functional');
    await readLegacyWeights(fresh, bytes);
    expect(await weightValues(fresh)).toEqual(await weightValues(model));
  });

  function named(names: [string, string, string], units = 3): Sequential {
    return new Sequential({
      name: 'seq',
      layers: [Input({ shape: [4] }), new Dense(5, { name: names[0] }), new Dropout(0.1, { name: names[1] }), new Dense(units, { name: names[2] })],
    });
  }

  it('byName: a renamed layer is skipped, an extra model layer keeps its values, matching names load', async () => {
    const source = named(['a', 'drop', 'b']);
    const bytes = await writeLegacyWeights(source);
    const target = new Sequential({
      name: 'other',
      layers: [Input({ shape: [4] }), new Dense(5, { name: 'a' }), new Dense(3, { name: 'renamed' }), new Dense(3, { name: 'extra' })],
    });
    const before = await weightValues(target);
    await readLegacyWeights(target, bytes, { byName: true });
    const after = await weightValues(target);
    const src = await weightValues(source);
    expect(after.slice(0, 2)).toEqual(src.slice(0, 2));
    expect(after.slice(2)).toEqual(before.slice(2));
    // Topological loading ignores names: 'a','renamed' get a, b; 'extra' has no counterpart -> count mismatch.
    const err = await readLegacyWeights(target, bytes, { filename: 'w.h5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/^w\.h5: layer count mismatch.*expects 3 layers.*has 2/);
  });

  it('byName: a shape mismatch throws naming the file, the layer and both shapes; skipMismatch warns and skips it', async () => {
    const bytes = await writeLegacyWeights(named(['a', 'drop', 'b'], 3));
    const target = named(['a', 'drop', 'b'], 2);
    const before = await weightValues(target);
    const tensors = memory().numTensors;
    const err = await readLegacyWeights(target, bytes, { byName: true, filename: 'w.h5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/^w\.h5: .*named b.*expects shape \(5, 2\), the file has \(5, 3\)/);
    expect(await weightValues(target)).toEqual(before);
    expect(memory().numTensors).toBe(tensors);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await readLegacyWeights(target, bytes, { byName: true, skipMismatch: true });
    expect(warn).toHaveBeenCalled();
    const after = await weightValues(target);
    expect(after[0]).not.toEqual(before[0]);
    // Only the mismatched kernel is skipped (Keras' _set_weights skips per weight): the bias (3,) vs (2,) too.
    expect(after[2]).toEqual(before[2]);
    expect(after[3]).toEqual(before[3]);
  });

  it('topological: a weight-count mismatch throws naming both layer names', async () => {
    const bytes = await writeLegacyWeights(named(['a', 'drop', 'b']));
    const target = new Sequential({ name: 't', layers: [Input({ shape: [4] }), new Dense(5, { name: 'x' }), new Dense(3, { useBias: false, name: 'y' })] });
    const err = await readLegacyWeights(target, bytes, { filename: 'w.h5' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/weight count mismatch for layer #1 \(named y in the model, b in the file\): the layer expects 1 weight\(s\) \(5, 3\), the file has 2/);
  });

  it('reads fixed-length and chunked (layer_names0..N) string attributes, as old tf.keras files have', async () => {
    const source = named(['a', 'drop', 'b']);
    const values = await weightValues(source);
    const bytes = await writeH5(async (root) => {
      await writeLegacyWeightsInto(root, source);
      // Rewrite the attributes the way h5py 2 wrote them / Keras splits large ones.
      root.deleteAttr('layer_names');
      root.setStringListAttr('layer_names0', ['a', 'drop'], { fixedLength: true });
      root.setStringListAttr('layer_names1', ['b'], { fixedLength: true });
      for (const [layer, names] of [['a', ['seq/a/kernel', 'seq/a/bias']], ['b', ['seq/b/kernel', 'seq/b/bias']]] as const) {
        root.requireGroup(layer).setStringListAttr('weight_names', names, { fixedLength: true });
      }
    });
    const attrs = await readH5(bytes, 'x', (root) => [root.attr('layer_names'), readChunkedStringList(root, 'layer_names')]);
    expect(attrs).toEqual([null, ['a', 'drop', 'b']]);
    const target = named(['a', 'drop', 'b']);
    await readLegacyWeights(target, bytes);
    expect(await weightValues(target)).toEqual(values);
  });

  it('corrupt or truncated bytes throw a FormatError naming the file; nothing leaks', async () => {
    const good = fixtureBytes('cnn', 'model.legacy_weights.h5');
    const model = modelFromFixture('cnn');
    const tensors = memory().numTensors;
    for (const bad of [good.slice(0, 2000), good.slice(0, good.length >> 1), new Uint8Array(100)]) {
      const err = await readLegacyWeights(model, bad, { filename: 'cnn.h5' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).file).toBe('cnn.h5');
    }
    // A Keras 3 .weights.h5 is not a legacy file: no layer_names.
    const err = await readLegacyWeights(model, fixtureBytes('cnn', 'model.weights.h5'), { filename: 'k3.weights.h5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/^k3\.weights\.h5: .*no layer_names/);
    expect(memory().numTensors).toBe(tensors);
  });
});
