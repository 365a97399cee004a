import { memory, tensor } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { fixtureWeights } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FormatError } from '../errors';
import { readH5 } from '../h5/h5-file';
import { readKerasWeights, writeKerasWeights } from './keras-weights';
import { saveableEntries } from './saveable-tree';
import { FIXTURES, expectFixtureOutputs, fixtureBytes, fixtureTree, h5Tree, modelFromFixture } from './test-helpers';

async function weightValues(model: Model): Promise<number[][]> {
  return Promise.all(model.weights.map(async (v) => Array.from(await v.data())));
}

function tinyModel(units = 3, name = 'tiny'): Sequential {
  return new Sequential({ name, layers: [Input({ shape: [4] }), new Dense(5, { activation: 'relu' }), new Dense(units)] });
}

describe('Keras 3 .weights.h5', () => {
  beforeEach(() => clearSession());
  afterEach(() => vi.restoreAllMocks());

  for (const name of FIXTURES) {
    it(`${name}: Keras' model.weights.h5 loads into a model built from its config and predicts Keras' outputs`, async () => {
      const model = modelFromFixture(name);
      const before = memory().numTensors;
      await readKerasWeights(model, fixtureBytes(name, 'model.weights.h5'), { filename: 'model.weights.h5' });
      expect(memory().numTensors).toBe(before);
      // The values are exactly Keras' (weights.json holds the same float32 bits).
      const want = fixtureWeights(name);
      const got = await weightValues(model);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        expect(g).toEqual(Array.from(Float32Array.from(want[i]!.data)));
      });
      expectFixtureOutputs(model, name);
    });

    it(`${name}: what we write has Keras' tree and reads back into a fresh model bit for bit`, async () => {
      const model = modelFromFixture(name);
      await readKerasWeights(model, fixtureBytes(name, 'model.weights.h5'));
      const bytes = await writeKerasWeights(model);
      expect(await h5Tree(bytes)).toEqual(fixtureTree(name, 'model.weights.h5'));
      const fresh = modelFromFixture(name);
      const before = memory().numTensors;
      await readKerasWeights(fresh, bytes);
      expect(memory().numTensors).toBe(before);
      expect(await weightValues(fresh)).toEqual(await weightValues(model));
      expectFixtureOutputs(fresh, name);
    });
  }

  it('paths: class-name keys in model.layers order, not layer names (mlp: dense_1 -> layers/dense)', () => {
    const model = modelFromFixture('mlp');
    const entries = saveableEntries(model).map((e) => [e.path, e.name, e.variables.length]);
    expect(entries).toEqual([
      ['', 'mlp', 0],
      ['layers/dense', 'dense_1', 2],
      ['layers/dense_1', 'dense_2', 2],
    ]);
    const lstm = saveableEntries(modelFromFixture('lstm')).map((e) => e.path);
    expect(lstm).toEqual(['', 'layers/embedding', 'layers/lstm', 'layers/lstm/cell', 'layers/lstm_1', 'layers/lstm_1/cell', 'layers/dense']);
  });

  it('a nested Sequential inside a Functional model is stored under its own layers/ group', async () => {
    const inner = new Sequential({ name: 'inner', layers: [Input({ shape: [3] }), new Dense(2, { name: 'd_in' })] });
    const x = Input({ shape: [3], name: 'x' });
    const y = new Dense(1, { name: 'head' }).apply(inner.apply(x) as never);
    const outer = new Model({ inputs: x, outputs: y as never, name: 'outer' });
    const paths = saveableEntries(outer).map((e) => [e.path, e.name]);
    expect(paths).toEqual([
      ['', 'outer'],
      ['layers/input_layer', 'x'],
      ['layers/sequential', 'inner'],
      ['layers/sequential/layers/dense', 'd_in'],
      ['layers/dense', 'head'],
    ]);
    const bytes = await writeKerasWeights(outer);
    const tree = (await h5Tree(bytes)).filter((e) => e.kind === 'dataset').map((e) => [e.path, e.shape]);
    expect(tree).toEqual([
      ['/layers/dense/vars/0', [2, 1]],
      ['/layers/dense/vars/1', [1]],
      ['/layers/sequential/layers/dense/vars/0', [3, 2]],
      ['/layers/sequential/layers/dense/vars/1', [2]],
    ]);
  });

  it('optimizer variables round-trip (Adam after training): optimizer/vars with an int64 iteration', async () => {
    const make = () => {
      clearSession();
      const m = tinyModel();
      m.compile({ optimizer: 'adam', loss: 'mse' });
      return m;
    };
    const x = tensor(Float32Array.from({ length: 8 }, (_, i) => i / 8 - 0.3), [2, 4]);
    const y = tensor(Float32Array.from([0.1, -0.2, 0.3, 0.5, 0.2, -0.1]), [2, 3]);
    const trained = make();
    for (let i = 0; i < 3; i++) await trained.trainOnBatch(x, y);
    const opt = trained.optimizer!;
    const optVars = opt.variables;
    // iteration, learning_rate, then momentum/velocity per trainable variable (4 of them).
    expect(optVars.length).toBe(2 + 2 * 4);
    const bytes = await writeKerasWeights(trained);
    const tree = await h5Tree(bytes);
    expect(tree.find((e) => e.path === '/optimizer/vars')).toEqual({ path: '/optimizer/vars', kind: 'group', name: 'adam' });
    expect(tree.find((e) => e.path === '/optimizer/vars/0')).toEqual({ path: '/optimizer/vars/0', kind: 'dataset', shape: [], dtype: 'int64' });
    expect(tree.filter((e) => e.path.startsWith('/optimizer/vars/')).length).toBe(10);

    const fresh = make();
    // Build the fresh optimizer with one step on other data (Keras only restores a built optimizer).
    const other = tensor(new Float32Array(8).fill(0.7), [2, 4]);
    await fresh.trainOnBatch(other, y);
    other.dispose();
    await readKerasWeights(fresh, bytes);
    const a = await Promise.all(opt.variables.map((v) => v.data()));
    const b = await Promise.all(fresh.optimizer!.variables.map((v) => v.data()));
    expect(b.map((t) => Array.from(t))).toEqual(a.map((t) => Array.from(t)));
    expect(Array.from(await fresh.optimizer!.variables[0]!.data())).toEqual([3]);
    expect(await weightValues(fresh)).toEqual(await weightValues(trained));
    x.dispose();
    y.dispose();
  });

  it('an unbuilt optimizer is skipped with a warning, as Keras does; the layers still load', async () => {
    const trained = tinyModel();
    trained.compile({ optimizer: 'adam', loss: 'mse' });
    const x = tensor(new Float32Array(8).fill(0.5), [2, 4]);
    const y = tensor(new Float32Array(6).fill(0.1), [2, 3]);
    await trained.trainOnBatch(x, y);
    const bytes = await writeKerasWeights(trained);
    clearSession();
    const fresh = tinyModel();
    fresh.compile({ optimizer: 'adam', loss: 'mse' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await readKerasWeights(fresh, bytes);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/optimizer 'adam'.*2 variables.*10 variables/);
    expect(await weightValues(fresh)).toEqual(await weightValues(trained));
    x.dispose();
    y.dispose();
  });

  it('a shape mismatch throws a FormatError naming the file, the layer and both shapes; the model is untouched', async () => {
    const source = tinyModel(3);
    const bytes = await writeKerasWeights(source);
    clearSession();
    const target = tinyModel(2);
    const before = await weightValues(target);
    const tensorsBefore = memory().numTensors;
    const err = await readKerasWeights(target, bytes, { filename: 'w.weights.h5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    const msg = (err as Error).message;
    expect(msg).toContain('w.weights.h5');
    expect(msg).toContain('dense_1');
    expect(msg).toContain('(5, 2)');
    expect(msg).toContain('(5, 3)');
    expect(memory().numTensors).toBe(tensorsBefore);
    expect(await weightValues(target)).toEqual(before);
  });

  it('skipMismatch: warns, skips the mismatched layer and loads the rest', async () => {
    const source = tinyModel(3);
    const bytes = await writeKerasWeights(source);
    clearSession();
    const target = tinyModel(2);
    const before = await weightValues(target);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await readKerasWeights(target, bytes, { skipMismatch: true });
    expect(warn).toHaveBeenCalledTimes(1);
    const after = await weightValues(target);
    const src = await weightValues(source);
    expect(after[0]).toEqual(src[0]);
    expect(after[1]).toEqual(src[1]);
    expect(after[2]).toEqual(before[2]);
    expect(after[3]).toEqual(before[3]);
  });

  it('a missing layer (wrong variable count) throws naming the layer and the counts', async () => {
    const small = new Sequential({ name: 's', layers: [Input({ shape: [4] }), new Dense(5, { activation: 'relu' })] });
    const bytes = await writeKerasWeights(small);
    clearSession();
    const big = tinyModel();
    const err = await readKerasWeights(big, bytes, { filename: 'small.weights.h5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/small\.weights\.h5: .*layer "dense_1".*expected 2 variables, but received 0/);
  });

  it('truncated, corrupt or non-HDF5 bytes throw a FormatError naming the file, and leak nothing', async () => {
    const good = fixtureBytes('mlp', 'model.weights.h5');
    const model = modelFromFixture('mlp');
    const before = await weightValues(model);
    const tensors = memory().numTensors;
    for (const bad of [good.slice(0, 1500), good.slice(0, good.length - 100), new Uint8Array(64), new TextEncoder().encode('{"not": "hdf5"}')]) {
      const err = await readKerasWeights(model, bad, { filename: 'broken.weights.h5' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).file).toBe('broken.weights.h5');
      expect((err as Error).message.startsWith('broken.weights.h5: ')).toBe(true);
    }
    // Without a file name the error names '<memory>'.
    const err = await readKerasWeights(model, new Uint8Array(10)).catch((e: unknown) => e);
    expect((err as FormatError).file).toBe('<memory>');
    expect(memory().numTensors).toBe(tensors);
    expect(await weightValues(model)).toEqual(before);
  });

  it('the scratch file is removed after reading and writing', async () => {
    const { readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const count = () => readdirSync(tmpdir()).filter((f) => f.startsWith('strata-h5-')).length;
    const start = count();
    const model = modelFromFixture('mlp');
    const bytes = await writeKerasWeights(model);
    await readKerasWeights(model, bytes);
    await readKerasWeights(model, bytes.slice(0, 100)).catch(() => {});
    expect(count()).toBe(start);
    // And the bytes are a plain HDF5 file readers can open.
    expect(await readH5(bytes, 'x', (root) => root.keys())).toEqual(['layers', 'vars']);
  });
});
