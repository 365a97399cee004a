import { type Config, type Tensor, memory, registerKerasSerializable, tensor } from '@strata/core';
import {
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  Input,
  LSTM,
  MultiHeadAttention,
  clearSession,
} from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { Adam } from '@strata/optimizers';
import { readFixtureJson } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { FormatError, UnsafeConfigError } from '../errors';
import { KERAS_VERSION, readKerasArchive, writeKerasArchive } from './archive';
import { parseKerasJson } from './config';
import { FIXTURE_NAMES, expectGoldenOutputs, fixtureFile, fixtureSummary, expectSamePredictions, positiveInput, randomInput, withoutSharedIds } from './test-fixtures';
import { listZip, readZip, writeZip } from './zip';

const dec = new TextDecoder();

beforeEach(() => clearSession());

describe('readKerasArchive: Keras 3.15 fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: model.keras loads and predicts Keras' outputs; summary equals Keras'`, async () => {
      const model = await readKerasArchive(fixtureFile(name, 'model.keras'), { filename: `${name}/model.keras` });
      expectGoldenOutputs(model, name);
      expect(model.summary({ printFn: () => {} }).replace(/\s+$/, '')).toBe(fixtureSummary(name));
      const params = readFixtureJson<{ params: { total: number; non_trainable: number } }>(name, 'io.json').params;
      expect(model.countParams()).toBe(params.total);
      model.dispose();
    });
  }

  it('a model loaded from Keras\' archive writes an archive Keras\' way: member order, STORED, same config', async () => {
    for (const name of FIXTURE_NAMES) {
      const model = await readKerasArchive(fixtureFile(name, 'model.keras'));
      const bytes = await writeKerasArchive(model);
      const entries = listZip(bytes, 'ours.keras');
      expect(entries.map((e) => e.name)).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
      expect(entries.every((e) => e.method === 0)).toBe(true);
      const members = readZip(bytes, 'ours.keras');
      const metadata = JSON.parse(dec.decode(members.get('metadata.json')!));
      expect(Object.keys(metadata)).toEqual(['keras_version', 'date_saved']);
      expect(metadata.keras_version).toBe(KERAS_VERSION);
      expect(metadata.date_saved).toMatch(/^\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}$/);
      const config = parseKerasJson(dec.decode(members.get('config.json')!));
      expect(withoutSharedIds(config)).toEqual(withoutSharedIds(readFixtureJson<Config>(name, 'keras_config.json')));
      // And it loads back to the same predictions (golden outputs).
      const again = await readKerasArchive(bytes);
      expectGoldenOutputs(again, name);
      model.dispose();
      again.dispose();
    }
  });
});

describe('round trips Strata -> .keras -> Strata', () => {
  it('Conv2D + BatchNormalization (moving stats) + Dropout + Dense', async () => {
    const model = new Sequential(
      [Input({ shape: [8, 8, 2] }), new Conv2D(4, 3, { activation: 'relu' }), new BatchNormalization(), new Flatten(), new Dropout(0.5), new Dense(3)],
      { name: 'convnet' },
    );
    // Non-trivial moving statistics, so a lost non-trainable variable shows in the outputs.
    const bn = model.layers[1]!;
    const stats = bn.weights.map((w, i) => positiveInput(w.shape as number[], 10 + i));
    bn.setWeights(stats);
    for (const t of stats) t.dispose();
    const again = await readKerasArchive(await writeKerasArchive(model));
    const x = randomInput([2, 8, 8, 2], 1);
    expectSamePredictions(model, again, [x]);
    x.dispose();
    model.dispose();
    again.dispose();
  });

  it('Embedding + LSTM (int inputs)', async () => {
    const model = new Sequential([Input({ shape: [5], dtype: 'int32' }), new Embedding(20, 4), new LSTM(3), new Dense(1, { activation: 'sigmoid' })]);
    const again = await readKerasArchive(await writeKerasArchive(model));
    const x = tensor(Int32Array.from([1, 4, 7, 19, 0, 3, 3, 2, 11, 5]), [2, 5], 'int32');
    expectSamePredictions(model, again, [x]);
    x.dispose();
    model.dispose();
    again.dispose();
  });

  it('MultiHeadAttention in a Functional model with two inputs', async () => {
    const q = Input({ shape: [4, 6], name: 'q' });
    const v = Input({ shape: [3, 6], name: 'v' });
    const att = new MultiHeadAttention({ numHeads: 2, keyDim: 3, name: 'mha' }).apply([q, v] as never) as never;
    const out = new Dense(2, { name: 'head' }).apply(att);
    const model = new Model({ inputs: [q, v], outputs: out, name: 'attn' });
    const again = await readKerasArchive(await writeKerasArchive(model));
    expect(again.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const xs = [randomInput([2, 4, 6], 2), randomInput([2, 3, 6], 3)];
    expectSamePredictions(model, again, xs);
    for (const t of xs) t.dispose();
    model.dispose();
    again.dispose();
  });

  it('a compiled model comes back compiled with its optimizer state', async () => {
    const model = new Sequential([Input({ shape: [3] }), new Dense(4, { activation: 'relu' }), new Dense(2)]);
    model.compile({ optimizer: new Adam(0.05), loss: 'mse' });
    const x = randomInput([8, 3], 4);
    const y = randomInput([8, 2], 5);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const again = await readKerasArchive(await writeKerasArchive(model));
    expect(again.isCompiled).toBe(true);
    const before = model.optimizer!.variables.map((v) => Array.from(v.dataSync()));
    const after = again.optimizer!.variables.map((v) => Array.from(v.dataSync()));
    expect(before.length).toBeGreaterThan(2); // iteration, learning rate, slots
    expect(after).toEqual(before);
    expectSamePredictions(model, again, [x]);
    const bare = await readKerasArchive(await writeKerasArchive(model), { compile: false });
    expect(bare.isCompiled).toBe(false);
    for (const t of [x, y]) t.dispose();
    for (const m of [model, again, bare]) m.dispose();
  });
});

/** A registered subclassed model with its own config (`units`). */
class TwoLayer extends Model {
  readonly units: number;
  hidden: Dense;
  out: Dense;
  constructor(args: { units?: number; name?: string } = {}) {
    super({ name: args.name });
    this.units = args.units ?? 2;
    this.hidden = new Dense(5, { activation: 'tanh' });
    this.out = new Dense(this.units);
  }
  override call(x: Tensor | Tensor[]): Tensor {
    return this.out.apply(this.hidden.apply(x as Tensor));
  }
  override getConfig(): Config {
    return { ...super.getConfig(), units: this.units };
  }
  static override fromConfig<T>(this: unknown, config: Config): T {
    return new TwoLayer({ units: config.units as number, name: config.name as string }) as T;
  }
}
registerKerasSerializable(TwoLayer, { package: 'ArchiveTest' });

describe('registered subclassed models', () => {
  it('are written under their registered name with build_config, and load back built with their weights', async () => {
    const model = new TwoLayer({ units: 3, name: 'sub' });
    const x = randomInput([4, 6], 11);
    const y0 = model.predict(x) as Tensor;
    y0.dispose();
    const bytes = await writeKerasArchive(model);
    const config = parseKerasJson(dec.decode(readZip(bytes, 'sub.keras').get('config.json')!)) as Config;
    expect(config.registered_name).toBe('ArchiveTest>TwoLayer');
    expect(config.build_config).toEqual({ input_shape: [4, 6] });
    expect((config.config as Config).units).toBe(3);
    const again = await readKerasArchive(bytes);
    expect(again).toBeInstanceOf(TwoLayer);
    expectSamePredictions(model, again, [x]);
    x.dispose();
    model.dispose();
    again.dispose();
  });
});

describe('bad archives', () => {
  async function fixtureMembers(): Promise<Map<string, Uint8Array>> {
    return readZip(fixtureFile('mlp', 'model.keras'), 'model.keras');
  }

  it('missing config.json or model.weights.h5 is a FormatError naming the file and the member', async () => {
    const m = await fixtureMembers();
    const noConfig = writeZip([['metadata.json', m.get('metadata.json')!], ['model.weights.h5', m.get('model.weights.h5')!]]);
    await expect(readKerasArchive(noConfig, { filename: 'a.keras' })).rejects.toThrow(/a\.keras: the archive has no config\.json/);
    const noWeights = writeZip([['metadata.json', m.get('metadata.json')!], ['config.json', m.get('config.json')!]]);
    await expect(readKerasArchive(noWeights, { filename: 'b.keras' })).rejects.toThrow(/b\.keras: the archive has no model\.weights\.h5/);
    const npz = writeZip([['config.json', m.get('config.json')!], ['model.weights.npz', new Uint8Array(4)]]);
    await expect(readKerasArchive(npz, { filename: 'c.keras' })).rejects.toThrow(/model\.weights\.npz/);
  });

  it('a corrupt weights member: FormatError, no model returned, no leaked tensors', async () => {
    const m = await fixtureMembers();
    const weights = m.get('model.weights.h5')!.slice(0, 3000);
    const bytes = writeZip([['metadata.json', m.get('metadata.json')!], ['config.json', m.get('config.json')!], ['model.weights.h5', weights]]);
    const before = memory().numTensors;
    await expect(readKerasArchive(bytes, { filename: 'broken.keras' })).rejects.toThrow(FormatError);
    await expect(readKerasArchive(bytes, { filename: 'broken.keras' })).rejects.toThrow(/broken\.keras/);
    expect(memory().numTensors).toBe(before);
  });

  it('weights of the wrong shapes: FormatError, no leaked tensors', async () => {
    const m = await fixtureMembers();
    const cnnWeights = readZip(fixtureFile('cnn', 'model.keras'), 'cnn.keras').get('model.weights.h5')!;
    const bytes = writeZip([['config.json', m.get('config.json')!], ['model.weights.h5', cnnWeights]]);
    const before = memory().numTensors;
    await expect(readKerasArchive(bytes, { filename: 'mixed.keras' })).rejects.toThrow(/mixed\.keras/);
    expect(memory().numTensors).toBe(before);
  });

  it('a truncated archive and invalid config JSON throw FormatError naming the file', async () => {
    const bytes = fixtureFile('mlp', 'model.keras');
    await expect(readKerasArchive(bytes.subarray(0, bytes.length - 100), { filename: 't.keras' })).rejects.toThrow(/t\.keras/);
    const m = await fixtureMembers();
    const badJson = writeZip([['config.json', new TextEncoder().encode('{"module": ')], ['model.weights.h5', m.get('model.weights.h5')!]]);
    await expect(readKerasArchive(badJson, { filename: 'j.keras' })).rejects.toThrow(/j\.keras\/config\.json: invalid JSON/);
  });

  it('safe mode applies to archives', async () => {
    const m = await fixtureMembers();
    const cfg = parseKerasJson(dec.decode(m.get('config.json')!)) as Config;
    const layers = (cfg.config as Config).layers as Config[];
    (layers[1]!.config as Config).activation = { class_name: '__lambda__', config: { code: 'AAAA', defaults: null, closure: null } };
    const bytes = writeZip([['config.json', new TextEncoder().encode(JSON.stringify(cfg))], ['model.weights.h5', m.get('model.weights.h5')!]]);
    await expect(readKerasArchive(bytes, { filename: 'lambda.keras' })).rejects.toThrow(UnsafeConfigError);
  });
});
