import { type Config, memory, tensor } from '@strata/core';
import { BatchNormalization, Conv2D, Dense, Dropout, Embedding, Flatten, Input, LSTM, MultiHeadAttention, clearSession } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { Adam, SGD } from '@strata/optimizers';
import { readFixtureJson } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { FormatError, UnsafeConfigError } from '../errors';
import { readH5, writeH5 } from '../h5/h5-file';
import { modelToConfig } from '../keras/config';
import { FIXTURE_NAMES, expectGoldenOutputs, fixtureFile, fixtureSummary, expectSamePredictions, positiveInput, randomInput } from '../keras/test-fixtures';
import { readLegacyH5Model, toLegacyModelConfig, writeLegacyH5Model } from './h5-model';

beforeEach(() => clearSession());

interface TreeNode {
  path: string;
  attrs?: Record<string, { value: unknown }>;
}

/** The root `model_config` attribute Keras wrote into the fixture's model.h5 (from h5tree.json). */
function kerasModelConfig(name: string): Config {
  const tree = readFixtureJson<Record<string, TreeNode[]>>(name, 'h5tree.json')['model.h5']!;
  return JSON.parse(tree.find((n) => n.path === '/')!.attrs!.model_config!.value as string) as Config;
}

describe('readLegacyH5Model: Keras 3.15 fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: model.h5 loads and predicts Keras' outputs; summary equals Keras'`, async () => {
      const model = await readLegacyH5Model(fixtureFile(name, 'model.h5'), { filename: `${name}/model.h5` });
      expectGoldenOutputs(model, name);
      expect(model.summary({ printFn: () => {} }).replace(/\s+$/, '')).toBe(fixtureSummary(name));
      model.dispose();
    });

    it(`${name}: the model_config we write equals the one Keras wrote`, async () => {
      const model = await readLegacyH5Model(fixtureFile(name, 'model.h5'));
      expect(toLegacyModelConfig(modelToConfig(model))).toEqual(kerasModelConfig(name));
      const bytes = await writeLegacyH5Model(model);
      const written = await readH5(bytes, 'ours.h5', (root) => ({
        config: root.stringAttr('model_config'),
        version: root.stringAttr('keras_version'),
        training: root.stringAttr('training_config'),
        weights: root.kind('model_weights'),
      }));
      expect(JSON.parse(written.config!)).toEqual(kerasModelConfig(name));
      expect(written.version).toBe('3.15.1');
      expect(written.training).toBeNull(); // not compiled
      expect(written.weights).toBe('group');
      const again = await readLegacyH5Model(bytes);
      expectGoldenOutputs(again, name);
      model.dispose();
      again.dispose();
    });
  }
});

describe('round trips Strata -> .h5 -> Strata', () => {
  it('Conv2D + BatchNormalization + Dropout + Dense, compiled: training_config and compile on load', async () => {
    const model = new Sequential([Input({ shape: [6, 6, 1] }), new Conv2D(3, 3), new BatchNormalization(), new Flatten(), new Dropout(0.2), new Dense(2, { activation: 'softmax' })]);
    const bn = model.layers[1]!;
    const stats = bn.weights.map((w, i) => positiveInput(w.shape as number[], 20 + i));
    bn.setWeights(stats);
    for (const t of stats) t.dispose();
    model.compile({ optimizer: new SGD(0.1), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const bytes = await writeLegacyH5Model(model);
    const training = await readH5(bytes, 'm.h5', (root) => root.stringAttr('training_config'));
    const tc = JSON.parse(training!) as Config;
    expect(Object.keys(tc)).toEqual(['loss', 'loss_weights', 'metrics', 'weighted_metrics', 'run_eagerly', 'steps_per_execution', 'jit_compile', 'optimizer_config']);
    expect((tc.optimizer_config as Config).class_name).toBe('SGD');
    expect(((tc.optimizer_config as Config).config as Config).learning_rate).toBe(Math.fround(0.1));
    const again = await readLegacyH5Model(bytes);
    expect(again.isCompiled).toBe(true);
    expect(again.optimizer).toBeInstanceOf(SGD);
    const x = randomInput([2, 6, 6, 1], 7);
    expectSamePredictions(model, again, [x]);
    const bare = await readLegacyH5Model(bytes, { compile: false });
    expect(bare.isCompiled).toBe(false);
    x.dispose();
    for (const m of [model, again, bare]) m.dispose();
  });

  it('a trained Adam model: optimizer_weights (Keras names, int64 iteration) are written and restored', async () => {
    const model = new Sequential([Input({ shape: [3] }), new Dense(4, { activation: 'relu' }), new Dense(2)], { name: 'seq' });
    model.compile({ optimizer: new Adam(0.05), loss: 'mse' });
    const x = randomInput([8, 3], 4);
    const y = randomInput([8, 2], 5);
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    const bytes = await writeLegacyH5Model(model);
    const saved = await readH5(bytes, 'm.h5', (root) => {
      const g = root.getGroup('optimizer_weights')!;
      const names = g.stringListAttr('weight_names')!;
      return { names, iteration: g.readDataset(names[0]!)! };
    });
    expect(saved.names.slice(0, 2)).toEqual(['adam/iteration', 'adam/learning_rate']);
    expect(saved.names).toContain('adam/seq_dense_kernel_momentum');
    expect(saved.iteration.dtype).toBe('int64');
    expect(Number((saved.iteration.data as BigInt64Array)[0])).toBe(6); // 3 epochs x 2 batches
    const again = await readLegacyH5Model(bytes);
    const want = model.optimizer!.variables.map((v) => Array.from(v.dataSync()));
    expect(again.optimizer!.variables.map((v) => Array.from(v.dataSync()))).toEqual(want);
    expectSamePredictions(model, again, [x]);
    for (const t of [x, y]) t.dispose();
    model.dispose();
    again.dispose();
  });

  it('Embedding + LSTM', async () => {
    const model = new Sequential([Input({ shape: [4], dtype: 'int32' }), new Embedding(10, 3), new LSTM(5, { returnSequences: true }), new LSTM(2)]);
    const again = await readLegacyH5Model(await writeLegacyH5Model(model));
    const x = tensor(Int32Array.from([1, 2, 3, 9, 0, 0, 5, 5]), [2, 4], 'int32');
    expectSamePredictions(model, again, [x]);
    x.dispose();
    model.dispose();
    again.dispose();
  });

  it('MultiHeadAttention (self-attention) in a Functional model', async () => {
    const x = Input({ shape: [3, 4], name: 'tokens' });
    const att = new MultiHeadAttention({ numHeads: 2, keyDim: 2, name: 'mha' }).apply([x, x] as never) as never;
    const model = new Model({ inputs: x, outputs: new Dense(1, { name: 'score' }).apply(att), name: 'selfatt' });
    const again = await readLegacyH5Model(await writeLegacyH5Model(model));
    const input = randomInput([2, 3, 4], 9);
    expectSamePredictions(model, again, [input]);
    input.dispose();
    model.dispose();
    again.dispose();
  });
});

describe('bad legacy files', () => {
  it('a weights-only file is refused with a FormatError that says so', async () => {
    await expect(readLegacyH5Model(fixtureFile('mlp', 'model.legacy_weights.h5'), { filename: 'w.h5' })).rejects.toThrow(/w\.h5: .*no `model_config`.*loadWeights/);
  });

  it('not HDF5 / truncated: FormatError naming the file', async () => {
    await expect(readLegacyH5Model(new TextEncoder().encode('hello'), { filename: 'x.h5' })).rejects.toThrow(FormatError);
    const bytes = fixtureFile('cnn', 'model.h5');
    await expect(readLegacyH5Model(bytes.subarray(0, Math.floor(bytes.length / 2)), { filename: 'half.h5' })).rejects.toThrow(/half\.h5/);
  });

  it('corrupt weights: no model returned, no leaked tensors', async () => {
    // model_config of the mlp with the weights of the cnn: shapes cannot match.
    const config = JSON.stringify(kerasModelConfig('mlp'));
    const cnn = await readLegacyH5Model(fixtureFile('cnn', 'model.h5'));
    const mixed = await writeH5(async (root) => {
      root.setStringAttr('model_config', config);
      const { writeLegacyWeightsInto } = await import('../weights/legacy-weights');
      await writeLegacyWeightsInto(root.createGroup('model_weights'), cnn);
    });
    cnn.dispose();
    const before = memory().numTensors;
    await expect(readLegacyH5Model(mixed, { filename: 'mixed.h5' })).rejects.toThrow(/mixed\.h5/);
    expect(memory().numTensors).toBe(before);
  });

  it('safe mode: a Keras 2 Lambda with bytecode in model_config is refused', async () => {
    const config = kerasModelConfig('mlp');
    ((config.config as Config).layers as Config[]).splice(1, 0, { class_name: 'Lambda', config: { name: 'lam', function: ['4wEAAAAA', null, null], function_type: 'lambda' } });
    const bytes = await writeH5((root) => {
      root.setStringAttr('model_config', JSON.stringify(config));
      root.createGroup('model_weights');
    });
    await expect(readLegacyH5Model(bytes, { filename: 'lam.h5' })).rejects.toThrow(UnsafeConfigError);
  });
});
