import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Tensor, memory, ops, random, setRandomSeed, tidy } from '@strata/core';
import { Dense, Input } from '@strata/layers';
import { Model, Sequential, hasModelSaving, loadModel as modelsLoadModel, registerModelSaving } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FormatError, IoError } from './errors';
import { FakeIDBFactory } from './handlers/fake-indexeddb';
import { FileSystemStore, type FsLike } from './handlers/file-system';
import { LocalStorageStore, type StorageLike } from './handlers/local-storage';
import { MemoryStore } from './handlers/memory';
import { loadModel, loadWeights, saveModel, saveWeights, sniffFormat } from './index';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-io-api-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeModel(seed: number, name = 'net'): Sequential {
  setRandomSeed(seed);
  const model = new Sequential([Input({ shape: [4] }), new Dense(5, { activation: 'relu' } as never), new Dense(3)], { name } as never);
  return model;
}

function functionalModel(seed: number): Model {
  setRandomSeed(seed);
  const x = Input({ shape: [4], name: 'inp' });
  const h = new Dense(6, { activation: 'tanh', name: 'hidden' } as never).apply(x);
  const y = new Dense(2, { name: 'out' } as never).apply(h);
  return new Model({ inputs: x, outputs: y as never, name: 'func' });
}

const xs = () => tidy(() => random.normal([7, 4], 0, 1, { seed: 11 }));

/** Plain numbers of every weight, for comparisons that cannot be fooled by shared tensors. */
function weightValues(model: Model): number[][] {
  return model.getWeights().map((t) => {
    const v = Array.from(t.dataSync());
    t.dispose();
    return v;
  });
}

function predictValues(model: Model): number[] {
  const x = xs();
  const y = model.predict(x) as Tensor;
  const v = Array.from(y.dataSync());
  x.dispose();
  y.dispose();
  return v;
}

function expectSameModel(loaded: Model, original: Model): void {
  const a = weightValues(loaded);
  const b = weightValues(original);
  expect(a.length).toBe(b.length);
  for (const [i, w] of a.entries()) expect(w).toEqual(b[i]);
  expectAllClose(predictValues(loaded), predictValues(original), { atol: 1e-6 });
}

describe('model.save / loadModel round trips through real files', () => {
  it('.keras: model.save then loadModel (also via models.loadModel) gives the same weights and outputs; no leaked tensors', async () => {
    const model = makeModel(1);
    const path = join(dir, 'sub', 'x.keras');
    const before = memory().numTensors;
    await model.save(path);
    expect([...readFileSync(path).subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const loaded = await loadModel(path);
    expect(loaded).toBeInstanceOf(Sequential);
    expectSameModel(loaded, model);
    const again = await modelsLoadModel(path);
    expectSameModel(again, model);
    loaded.dispose();
    again.dispose();
    expect(memory().numTensors).toBe(before);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.keras']);
  });

  it('.h5 (legacy) round trip of a Functional model', async () => {
    const model = functionalModel(2);
    const path = join(dir, 'f.h5');
    await model.save(path);
    expect(sniffFormat(new Uint8Array(readFileSync(path)))).toBe('h5');
    const loaded = await loadModel(path);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expectSameModel(loaded, model);
    loaded.dispose();
  });

  it('a directory gets the TF.js format (model.json + group1-shard1of1.bin), loadable from the directory or the model.json', async () => {
    const model = makeModel(3);
    const target = join(dir, 'tfjs_model');
    const written = await saveModel(model, target);
    expect(written.map((f) => f.path)).toEqual(['model.json', 'group1-shard1of1.bin']);
    expect(readdirSync(target).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['group1-shard1of1.bin']);
    // 4*5 + 5 + 5*3 + 3 float32 values.
    expect(readFileSync(join(target, 'group1-shard1of1.bin')).length).toBe((20 + 5 + 15 + 3) * 4);
    for (const source of [target, join(target, 'model.json')]) {
      const loaded = await loadModel(source);
      expectSameModel(loaded, model);
      loaded.dispose();
    }
  });

  it('bytes are sniffed: zip -> .keras, HDF5 signature -> legacy .h5, and in-memory TF.js artifacts load', async () => {
    const model = makeModel(4);
    const mem = new MemoryStore();
    await saveModel(model, mem.at('m.keras'));
    await saveModel(model, mem.at('m.h5'));
    const tfjs = await saveModel(model, mem.at('model.json'), { shardSizeBytes: 64 });
    expect(tfjs.map((f) => f.path)).toEqual(['model.json', 'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    for (const name of ['m.keras', 'm.h5']) {
      const bytes = mem.files.get(name)!;
      const fromBytes = await loadModel(bytes);
      expectSameModel(fromBytes, model);
      fromBytes.dispose();
      const fromBuffer = await loadModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      fromBuffer.dispose();
    }
    const modelJson = JSON.parse(new TextDecoder().decode(mem.files.get('model.json')));
    const fromArtifacts = await loadModel({ modelJson, weightData: tfjs.slice(1).map((f) => f.data) });
    expectSameModel(fromArtifacts, model);
    fromArtifacts.dispose();
    // A model.json without its shards cannot be loaded from bare bytes.
    await expect(loadModel(mem.files.get('model.json')!)).rejects.toThrow(/<memory>: is a TF.js model.json/);
    await expect(loadModel({ modelJson, weightData: [] })).rejects.toThrow(/lists 3 shard file\(s\) but weightData has 0/);
  });

  it('an unknown-extension file is loaded by its content', async () => {
    const model = makeModel(5);
    await model.save(join(dir, 'm.keras'));
    writeFileSync(join(dir, 'download.bin'), readFileSync(join(dir, 'm.keras')));
    const loaded = await loadModel(join(dir, 'download.bin'));
    expectSameModel(loaded, model);
    loaded.dispose();
  });

  it('browser storage targets: localstorage:// name through an injected Storage', async () => {
    const map = new Map<string, string>();
    const storage: StorageLike = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
    const model = makeModel(6);
    const store = new LocalStorageStore('demo', { storage });
    await saveModel(model, { store, path: 'model.json' });
    const loaded = await loadModel({ store, path: 'model.json' });
    expectSameModel(loaded, model);
    loaded.dispose();
  });

  it('indexeddb:// and localstorage:// strings use the browser globals (faked here)', async () => {
    const g = globalThis as { indexedDB?: unknown; localStorage?: unknown };
    const saved = { indexedDB: g.indexedDB, localStorage: g.localStorage };
    const map = new Map<string, string>();
    g.indexedDB = new FakeIDBFactory();
    g.localStorage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    try {
      const model = functionalModel(29);
      await model.save('indexeddb://func');
      await model.save('localstorage://func.keras');
      expect([...map.keys()]).toEqual(['strata_models/func.keras']);
      for (const source of ['indexeddb://func', 'localstorage://func.keras']) {
        const loaded = await loadModel(source);
        expectSameModel(loaded, model);
        loaded.dispose();
      }
      await expect(loadModel('indexeddb://other')).rejects.toThrow(/indexeddb:\/\/other: no model saved under this name/);
    } finally {
      g.indexedDB = saved.indexedDB;
      g.localStorage = saved.localStorage;
    }
  });

  it('a save that fails leaves the previous file intact', async () => {
    const model = makeModel(7);
    writeFileSync(join(dir, 'm.keras'), 'PREVIOUS');
    const failing: FsLike = {
      ...(fsp as unknown as FsLike),
      async writeFile(p: string, d: Uint8Array) {
        await fsp.writeFile(p, d.subarray(0, 10));
        throw new Error('disk full');
      },
    };
    await expect(saveModel(model, { store: new FileSystemStore(dir, { fs: failing }), path: 'm.keras' })).rejects.toThrow(/m\.keras: cannot write the file: disk full/);
    expect(readFileSync(join(dir, 'm.keras'), 'utf8')).toBe('PREVIOUS');
    expect(readdirSync(dir)).toEqual(['m.keras']);
  });

  it('overwrite: false refuses an existing file', async () => {
    const model = makeModel(8);
    writeFileSync(join(dir, 'm.keras'), 'PREVIOUS');
    await expect(saveModel(model, join(dir, 'm.keras'), { overwrite: false })).rejects.toThrow(/m\.keras: the file already exists and overwrite is false/);
    expect(readFileSync(join(dir, 'm.keras'), 'utf8')).toBe('PREVIOUS');
  });
});

describe('TF.js model over http', () => {
  let server: Server;
  let base: string;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strata-io-http-'));
    server = createServer((req, res) => {
      const file = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(root) || !existsSync(file)) {
        res.writeHead(404, 'Not Found').end();
        return;
      }
      const data = readFileSync(file);
      res.writeHead(200, { 'content-length': String(data.length), 'content-type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream' });
      // Chunks a millisecond apart, so the client sees the body arrive in parts.
      let i = 0;
      const next = () => {
        if (i >= data.length) {
          res.end();
          return;
        }
        res.write(data.subarray(i, i + 1000));
        i += 1000;
        setTimeout(next, 1);
      };
      next();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  });

  it('loads model.json and its shards (relative to the URL) with increasing progress ending at 1', async () => {
    const model = makeModel(9);
    await saveModel(model, join(root, 'models', 'a'), { shardSizeBytes: 100 });
    const seen: number[] = [];
    const loaded = await loadModel(`${base}/models/a/model.json`, { onProgress: (f) => seen.push(f) });
    expectSameModel(loaded, model);
    loaded.dispose();
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    // 1 model.json + 2 shards of 172 bytes: some fractions strictly between 0 and 1.
    expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
  });

  it('.keras over http, and a 404 names the URL', async () => {
    const model = makeModel(10);
    await model.save(join(root, 'k.keras'));
    const seen: number[] = [];
    const loaded = await loadModel(`${base}/k.keras`, { onProgress: (f) => seen.push(f) });
    expectSameModel(loaded, model);
    // The body comes in 1000-byte writes: several fractions below 1, then exactly one 1 at the end.
    expect(seen.filter((f) => f === 1)).toEqual([1]);
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.filter((f) => f > 0 && f < 1).length).toBeGreaterThan(1);
    loaded.dispose();
    const err = await loadModel(`${base}/missing.keras`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(`${base}/missing.keras`);
    expect((err as Error).message).toMatch(/missing\.keras: HTTP 404/);
    await expect(loadModel(`${base}/models/gone/model.json`)).rejects.toThrow(/models\/gone\/model\.json: HTTP 404/);
  });
});

describe('saveWeights / loadWeights', () => {
  it('.weights.h5: a differently initialised model gets exactly the saved weights', async () => {
    const model = makeModel(11);
    const path = join(dir, 'w.weights.h5');
    await model.saveWeights(path);
    const fresh = makeModel(12);
    expect(weightValues(fresh)[0]).not.toEqual(weightValues(model)[0]);
    const before = memory().numTensors;
    await fresh.loadWeights(path);
    expect(memory().numTensors).toBe(before);
    expectSameModel(fresh, model);
  });

  it('legacy .h5 weights by position and by name; a full-model .h5 and a .keras also give their weights', async () => {
    const model = functionalModel(13);
    await saveWeights(model, join(dir, 'w.h5'));
    const byPosition = functionalModel(14);
    await loadWeights(byPosition, join(dir, 'w.h5'));
    expectSameModel(byPosition, model);
    const byName = functionalModel(15);
    await byName.loadWeights(join(dir, 'w.h5'), { byName: true });
    expectSameModel(byName, model);
    await model.save(join(dir, 'full.h5'));
    await model.save(join(dir, 'full.keras'));
    for (const file of ['full.h5', 'full.keras']) {
      const target = functionalModel(16);
      await loadWeights(target, join(dir, file));
      expectSameModel(target, model);
    }
  });

  it('weights bytes are sniffed (Keras 3 layout vs legacy layout)', async () => {
    const model = makeModel(17);
    const mem = new MemoryStore();
    await saveWeights(model, mem.at('a.weights.h5'));
    await saveWeights(model, mem.at('b.h5'));
    for (const name of ['a.weights.h5', 'b.h5']) {
      const target = makeModel(18);
      await loadWeights(target, mem.files.get(name)!);
      expectSameModel(target, model);
    }
  });

  it('sharded .weights.json (Keras max_shard_size): index + <base>_0000i.weights.h5 shards, loaded back exactly', async () => {
    const model = makeModel(25);
    const gb = 100 / 1024 ** 3; // 100 bytes per shard
    const files = await saveWeights(model, join(dir, 'w.weights.json'), { maxShardSize: gb });
    expect(files.map((f) => f.path)).toEqual(['w.weights.json', 'w_00000.weights.h5', 'w_00001.weights.h5']);
    const index = JSON.parse(readFileSync(join(dir, 'w.weights.json'), 'utf8'));
    // dense: 4x5 + 5 float32 = 100 bytes fills shard 0; dense_1: 5x3 + 3 = 72 bytes goes to shard 1.
    expect(index).toEqual({
      metadata: { total_size: 172 },
      weight_map: { '/layers/dense/vars': 'w_00000.weights.h5', '/layers/dense_1/vars': 'w_00001.weights.h5' },
    });
    // json.dumps(indent=4) text, with total_size as a Python float.
    expect(readFileSync(join(dir, 'w.weights.json'), 'utf8')).toContain('{\n    "metadata": {\n        "total_size": 172.0\n    },');
    const fresh = makeModel(26);
    await fresh.loadWeights(join(dir, 'w.weights.json'));
    expectSameModel(fresh, model);
    // One shard holding everything when the limit is large.
    const one = await saveWeights(model, join(dir, 'big.weights.json'), { maxShardSize: 1 });
    expect(one.map((f) => f.path)).toEqual(['big.weights.json', 'big_00000.weights.h5']);
    // A variable above the limit is refused, as in Keras.
    await expect(saveWeights(model, join(dir, 'tiny.weights.json'), { maxShardSize: 50 / 1024 ** 3 })).rejects.toThrow(
      /The size of \/layers\/dense\/vars\/0 is 80 bytes which exceeds the maximum shard size/,
    );
    // A missing shard names its path.
    rmSync(join(dir, 'w_00001.weights.h5'));
    await expect(loadWeights(fresh, join(dir, 'w.weights.json'))).rejects.toThrow(/w_00001\.weights\.h5: cannot read the file: no such file/);
  });

  it('refuses what Keras refuses, with the path in the message', async () => {
    const model = makeModel(19);
    await expect(saveWeights(model, join(dir, 'w.keras'))).rejects.toThrow(/w\.keras: The filename must end in `\.weights\.h5`/);
    await expect(saveWeights(model, join(dir, 'w.weights.json'))).rejects.toThrow(/w\.weights\.json: The filename must end in `\.weights\.h5`; sharded/);
    await expect(saveWeights(model, join(dir, 'w.h5'), { maxShardSize: 1 })).rejects.toThrow(/w\.h5: The filename must end in `\.weights\.json` when `maxShardSize`/);
    await model.saveWeights(join(dir, 'w.weights.h5'));
    await expect(loadWeights(model, join(dir, 'w.weights.h5'), { byName: true })).rejects.toThrow(/w\.weights\.h5: `by_name` only supports loading legacy/);
    await expect(loadWeights(model, join(dir, 'w.txt'))).rejects.toThrow(/w\.txt: File format not supported/);
    await expect(loadWeights(model, join(dir, 'nope.weights.h5'))).rejects.toThrow(/nope\.weights\.h5: cannot read the file: no such file/);
    await expect(loadWeights(model, new Uint8Array([1, 2, 3]))).rejects.toThrow(FormatError);
  });
});

describe('sniffFormat', () => {
  const hdf5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  it('recognises zip, HDF5 (also after a 512-byte user block) and TF.js / sharded-index JSON', () => {
    expect(sniffFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBe('keras');
    expect(sniffFormat(new Uint8Array([...hdf5, 0, 0]))).toBe('h5');
    const withUserBlock = new Uint8Array(1024);
    withUserBlock.set(hdf5, 512);
    expect(sniffFormat(withUserBlock)).toBe('h5');
    const shifted = new Uint8Array(1024);
    shifted.set(hdf5, 300); // not at 0, 512, 1024, ...: not HDF5
    expect(sniffFormat(shifted)).toBeNull();
    const text = (t: string) => new TextEncoder().encode(t);
    expect(sniffFormat(text('\ufeff \n {"modelTopology": {}, "weightsManifest": []}'))).toBe('tfjs');
    expect(sniffFormat(text('{"metadata": {}, "weight_map": {}}'))).toBe('sharded-weights');
    expect(sniffFormat(text('{"other": 1}'))).toBeNull();
    expect(sniffFormat(text('{"modelTopology": '))).toBeNull();
    expect(sniffFormat(new Uint8Array([0x50, 0x4b, 0x05, 0x06]))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });
});

describe('errors name the file', () => {
  it('browser targets outside a browser, and write-only downloads', async () => {
    const model = makeModel(27);
    if (typeof indexedDB === 'undefined') await expect(model.save('indexeddb://net')).rejects.toThrow(/indexeddb:\/\/net: IndexedDB is not available/);
    await expect(loadModel('downloads://net')).rejects.toThrow(/downloads:\/\/net\.json: downloads:\/\/ is write-only/);
    await expect(model.save('downloads://net.keras')).rejects.toThrow(/downloads:\/\/net\.keras: downloads need a browser/);
  });

  it('unknown extension, missing file, weights-only file, garbage bytes', async () => {
    const model = makeModel(20);
    await expect(model.save(join(dir, 'm.pb'))).rejects.toThrow(/m\.pb: unknown extension "\.pb" for saving/);
    await expect(saveModel(model, join(dir, 'w.weights.h5'))).rejects.toThrow(/w\.weights\.h5: is a weights file name/);
    const missing = join(dir, 'nothing.keras');
    const err = await loadModel(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(missing);
    await model.saveWeights(join(dir, 'w.weights.h5'));
    await expect(loadModel(join(dir, 'w.weights.h5'))).rejects.toThrow(/w\.weights\.h5: holds weights only/);
    const garbage = await loadModel(new Uint8Array([1, 2, 3, 4, 5])).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(FormatError);
    expect((garbage as IoError).file).toBe('<memory>');
    writeFileSync(join(dir, 'junk.bin'), 'not a model');
    await expect(loadModel(join(dir, 'junk.bin'))).rejects.toThrow(/junk\.bin: File format not supported/);
    writeFileSync(join(dir, 'bad.keras'), 'PK\u0003\u0004 truncated');
    const bad = await loadModel(join(dir, 'bad.keras')).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(IoError);
    expect((bad as Error).message).toContain('bad.keras');
  });

  it('without @strata/io registered, model.save says which package to import', async () => {
    const model = makeModel(21);
    expect(hasModelSaving()).toBe(true);
    registerModelSaving(null);
    try {
      await expect(model.save(join(dir, 'm.keras'))).rejects.toThrow(/Model\.save needs the file formats of @strata\/io/);
      await expect(model.loadWeights(join(dir, 'm.keras'))).rejects.toThrow(/@strata\/io/);
      await expect(modelsLoadModel(join(dir, 'm.keras'))).rejects.toThrow(/@strata\/io/);
    } finally {
      registerModelSaving({
        save: (m, p, o) => saveModel(m, p, o).then(() => undefined),
        saveWeights: (m, p, o) => saveWeights(m, p, o).then(() => undefined),
        loadWeights: (m, p, o) => loadWeights(m, p, o),
        loadModel: (s, o) => loadModel(s as string, o),
      });
    }
  });
});

describe('callbacks write real model files', () => {
  // @strata/callbacks is a dependency of @strata/models, not of io: load the copy models uses.
  const req = createRequire(import.meta.url);
  const callbacksUrl = () => {
    const modelsMain = req.resolve('@strata/models');
    const cjs = createRequire(modelsMain).resolve('@strata/callbacks');
    return pathToFileURL(cjs.replace(/index\.cjs$/, 'index.js')).href;
  };

  it('ModelCheckpoint saves a loadable .keras and .weights.h5 every epoch; BackupAndRestore writes latest.weights.h5', async () => {
    const { ModelCheckpoint, BackupAndRestore } = (await import(callbacksUrl())) as {
      ModelCheckpoint: new (p: string, o?: object) => unknown;
      BackupAndRestore: new (o: object) => unknown;
    };
    const model = makeModel(22);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = xs();
    const y = tidy(() => ops.sum(x, -1, true));
    const y3 = tidy(() => ops.concatenate([y, y, y], -1));
    await model.fit(x, y3, {
      epochs: 2,
      batchSize: 7,
      verbose: 0,
      callbacks: [
        new ModelCheckpoint(join(dir, 'ckpt', 'm-{epoch:02d}.keras')),
        new ModelCheckpoint(join(dir, 'ckpt', 'w-{epoch:02d}.weights.h5'), { saveWeightsOnly: true }),
        new BackupAndRestore({ backupDir: join(dir, 'backup'), deleteCheckpoint: false }),
      ] as never,
    });
    expect(readdirSync(join(dir, 'backup')).sort()).toEqual(['latest.weights.h5', 'training_metadata.json']);
    expect(readdirSync(join(dir, 'ckpt')).sort()).toEqual(['m-01.keras', 'm-02.keras', 'w-01.weights.h5', 'w-02.weights.h5']);
    // The last checkpoint holds the final weights.
    const last = await loadModel(join(dir, 'ckpt', 'm-02.keras'));
    expectSameModel(last, model);
    last.dispose();
    const fresh = makeModel(23);
    await fresh.loadWeights(join(dir, 'ckpt', 'w-02.weights.h5'));
    expectSameModel(fresh, model);
    const restored = makeModel(24);
    await restored.loadWeights(join(dir, 'backup', 'latest.weights.h5'));
    expectSameModel(restored, model);
    // A new fit with the same backup dir resumes: it restores the weights (through loadWeights)
    // and, the 2 epochs being done, trains no further.
    const resumed = makeModel(28);
    resumed.compile({ optimizer: 'sgd', loss: 'mse' });
    const history = (await resumed.fit(x, y3, {
      epochs: 2,
      batchSize: 7,
      verbose: 0,
      callbacks: [new BackupAndRestore({ backupDir: join(dir, 'backup'), deleteCheckpoint: false })] as never,
    })) as { epoch: number[] };
    expect(history.epoch).toEqual([]);
    expectSameModel(resumed, model);
    for (const t of [x, y, y3]) t.dispose();
  });
});
