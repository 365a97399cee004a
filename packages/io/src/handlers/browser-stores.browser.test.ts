// The browser stores in Chromium, on the real APIs: indexeddb://, localstorage://, downloads://.
import { memory, ops, tidy } from '@strata/core';
import { Dense, Input } from '@strata/layers';
import { type Model, Sequential } from '@strata/models';
import { afterEach, describe, expect, it } from 'vitest';
import { IoError, loadModel, loadWeights } from '../index';
import { disposeModel, expectGolden, fixtureBytes, fixtureIo, predictValues } from './browser-fixtures';
import { IDB_DATABASE, IDB_OBJECT_STORE } from './indexed-db';
import { LOCAL_STORAGE_PREFIX } from './local-storage';

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function fixtureModel(name: string): Promise<Model> {
  return loadModel(await fixtureBytes(name, 'model.keras'));
}

/** The raw record saved under `key`, read with the plain IndexedDB API. */
async function idbRecord(key: string): Promise<{ files: Record<string, Uint8Array>; dateSaved: string } | undefined> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(IDB_DATABASE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const req = db.transaction(IDB_OBJECT_STORE, 'readonly').objectStore(IDB_OBJECT_STORE).get(key);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Sets every weight to zero, so a later load visibly changes the predictions. */
function zeroWeights(model: Model): void {
  for (const v of model.weights) v.assign(tidy(() => ops.zerosLike(v.value)));
}

describe('indexeddb:// in Chromium', () => {
  it('model.save / loadModel round trip (TF.js files in one record) predicts the same', async () => {
    const io = await fixtureIo('functional');
    const model = await fixtureModel('functional');
    await model.save('indexeddb://functional');
    const rec = await idbRecord('functional');
    expect(rec).toBeDefined();
    expect(Object.keys(rec!.files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(Number.isNaN(Date.parse(rec!.dateSaved))).toBe(false);
    // 166 float32 parameters in the one shard.
    expect(rec!.files['group1-shard1of1.bin']!.byteLength).toBe(166 * 4);
    expect(JSON.parse(dec(rec!.files['model.json']!)).format).toBe('layers-model');
    const loaded = await loadModel('indexeddb://functional');
    expectGolden(loaded, io);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('.keras and .h5 names keep their format inside IndexedDB', async () => {
    const io = await fixtureIo('cnn');
    const model = await fixtureModel('cnn');
    for (const file of ['cnn.keras', 'cnn.h5']) {
      await model.save(`indexeddb://${file}`);
      const rec = await idbRecord(file);
      expect(Object.keys(rec!.files)).toEqual([file]);
      const loaded = await loadModel(`indexeddb://${file}`);
      expectGolden(loaded, io);
      disposeModel(loaded);
    }
    disposeModel(model);
  });

  it('a second save replaces the record; overwrite: false refuses; a missing name is a clear IoError', async () => {
    const mlp = await fixtureModel('mlp');
    const cnn = await fixtureModel('cnn');
    await cnn.save('indexeddb://replaced', { shardSizeBytes: 1024 });
    expect(Object.keys((await idbRecord('replaced'))!.files).length).toBeGreaterThan(2);
    await mlp.save('indexeddb://replaced');
    expect(Object.keys((await idbRecord('replaced'))!.files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const loaded = await loadModel('indexeddb://replaced');
    expectGolden(loaded, await fixtureIo('mlp'));
    await expect(cnn.save('indexeddb://replaced', { overwrite: false })).rejects.toThrow(
      'indexeddb://replaced: a model is already saved under this name and overwrite is false',
    );
    const err = await loadModel('indexeddb://never-saved').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toBe('indexeddb://never-saved: no model saved under this name');
    for (const m of [mlp, cnn, loaded]) disposeModel(m);
  });

  it('saveWeights / loadWeights (.weights.h5 and legacy .h5) restore the predictions', async () => {
    const io = await fixtureIo('mlp');
    const model = await fixtureModel('mlp');
    const golden = predictValues(model, io);
    for (const file of ['mlp.weights.h5', 'mlp_legacy.h5']) {
      await model.saveWeights(`indexeddb://${file}`);
      expect(Object.keys((await idbRecord(file))!.files)).toEqual([file]);
      const target = await fixtureModel('mlp');
      zeroWeights(target);
      // Zero weights: relu(0) -> softmax of zeros is uniform, far from Keras' outputs.
      expect(predictValues(target, io)[0]![0]).toBeCloseTo(1 / 3, 6);
      await loadWeights(target, `indexeddb://${file}`);
      expect(predictValues(target, io)).toEqual(golden);
      expectGolden(target, io);
      disposeModel(target);
    }
    await expect(loadWeights(model, 'indexeddb://no-weights.weights.h5')).rejects.toThrow('indexeddb://no-weights.weights.h5: no model saved under this name');
    disposeModel(model);
  });

  it('leaves no tensor behind', async () => {
    const bytes = await fixtureBytes('mlp', 'model.keras');
    const before = memory().numTensors;
    const model = await loadModel(bytes);
    await model.save('indexeddb://leak-check');
    await model.saveWeights('indexeddb://leak-check.weights.h5');
    const loaded = await loadModel('indexeddb://leak-check');
    await loadWeights(loaded, 'indexeddb://leak-check.weights.h5');
    expect(memory().numTensors - before).toBe(model.weights.length + loaded.weights.length);
    disposeModel(model);
    disposeModel(loaded);
    expect(memory().numTensors).toBe(before);
  });
});

describe('localstorage:// in Chromium', () => {
  afterEach(() => localStorage.clear());

  it('round trip predicts the same; the entry is base64 JSON under strata_models/<name>', async () => {
    const io = await fixtureIo('cnn');
    const model = await fixtureModel('cnn');
    await model.save('localstorage://cnn');
    const entry = JSON.parse(localStorage.getItem(`${LOCAL_STORAGE_PREFIX}cnn`)!) as { files: Record<string, string> };
    expect(Object.keys(entry.files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    // 1,085 float32 parameters, base64 (4 chars per 3 bytes, padded).
    expect(entry.files['group1-shard1of1.bin']!.length).toBe(4 * Math.ceil((1085 * 4) / 3));
    expect(atob(entry.files['model.json']!)).toContain('"modelTopology"');
    const loaded = await loadModel('localstorage://cnn');
    expectGolden(loaded, io);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('a save over the quota is a clear IoError and keeps the model saved before', async () => {
    const io = await fixtureIo('mlp');
    const small = await fixtureModel('mlp');
    // Fill the origin's quota with 1M-character entries, then free one: the mlp fits again, a
    // 1000 x 400 kernel (1.6 MB = 2.1M base64 characters) does not.
    const filler = 'x'.repeat(1_000_000);
    let n = 0;
    for (; n < 100; n++) {
      try {
        localStorage.setItem(`filler/${n}`, filler);
      } catch {
        break;
      }
    }
    expect(n).toBeLessThan(100);
    localStorage.removeItem('filler/0');
    await small.save('localstorage://quota');
    const big = new Sequential([Input({ shape: [1000] }), new Dense(400)]);
    const err = await big.save('localstorage://quota').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/^localstorage:\/\/quota: cannot store the model \(localStorage quota exceeded\?\): .*quota/i);
    const loaded = await loadModel('localstorage://quota');
    expectGolden(loaded, io);
    for (const m of [small, big, loaded]) disposeModel(m);
  });

  it('missing and corrupted entries are IoErrors naming the key', async () => {
    await expect(loadModel('localstorage://absent')).rejects.toThrow('localstorage://absent: no model saved under this name');
    localStorage.setItem(`${LOCAL_STORAGE_PREFIX}broken`, '{not json');
    await expect(loadModel('localstorage://broken')).rejects.toThrow(/^localstorage:\/\/broken: the stored entry is corrupted/);
    localStorage.setItem(`${LOCAL_STORAGE_PREFIX}no-shard`, JSON.stringify({ files: { 'model.json': btoa('{"modelTopology":{}}') } }));
    await expect(loadModel('localstorage://no-shard')).rejects.toThrow(IoError);
  });

  it('saveWeights / loadWeights round trip', async () => {
    const io = await fixtureIo('functional');
    const model = await fixtureModel('functional');
    await model.saveWeights('localstorage://f.weights.h5');
    const target = await fixtureModel('functional');
    zeroWeights(target);
    await loadWeights(target, 'localstorage://f.weights.h5');
    expectGolden(target, io);
    disposeModel(model);
    disposeModel(target);
  });
});

describe('downloads:// in Chromium', () => {
  /** Replaces the anchor's click for the duration of `fn`: records each download and reads its Blob URL back. */
  async function captureDownloads(fn: () => Promise<unknown>): Promise<{ name: string; href: string; bytes: Uint8Array; type: string; isAnchor: boolean }[]> {
    const clicks: Promise<{ name: string; href: string; bytes: Uint8Array; type: string; isAnchor: boolean }>[] = [];
    const original = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      const { href, download } = this;
      const isAnchor = this instanceof HTMLAnchorElement;
      // Read right away: the object URL is revoked a moment after the click.
      clicks.push(
        fetch(href).then(async (r) => {
          const blob = await r.blob();
          return { name: download, href, type: blob.type, bytes: new Uint8Array(await blob.arrayBuffer()), isAnchor };
        }),
      );
    };
    try {
      await fn();
    } finally {
      HTMLAnchorElement.prototype.click = original;
    }
    return Promise.all(clicks);
  }

  it('a TF.js save clicks <name>.json and the shard; the bytes load back to the same predictions', async () => {
    const io = await fixtureIo('functional');
    const model = await fixtureModel('functional');
    const got = await captureDownloads(() => model.save('downloads://my-model', { shardSizeBytes: 300 }));
    expect(got.every((d) => d.isAnchor && d.href.startsWith('blob:'))).toBe(true);
    const names = got.map((d) => d.name);
    // Shards first, model.json last (a reader never sees a model.json before its shards).
    expect(names.at(-1)).toBe('my-model.json');
    expect(names.slice(0, -1)).toEqual(['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    expect(got.at(-1)!.type).toBe('application/json');
    expect(got[0]!.type).toBe('application/octet-stream');
    const modelJson = JSON.parse(dec(got.at(-1)!.bytes)) as { weightsManifest: { paths: string[] }[] };
    expect(modelJson.weightsManifest.flatMap((g) => g.paths)).toEqual(names.slice(0, -1));
    expect(got.slice(0, -1).reduce((n, d) => n + d.bytes.byteLength, 0)).toBe(166 * 4);
    const loaded = await loadModel({ modelJson, weightData: got.slice(0, -1).map((d) => d.bytes) });
    expectGolden(loaded, io);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('.keras and .h5 downloads are single files that load back; the object URLs are revoked after', async () => {
    const io = await fixtureIo('mlp');
    const model = await fixtureModel('mlp');
    const keras = await captureDownloads(() => model.save('downloads://mlp.keras'));
    const h5 = await captureDownloads(() => model.save('downloads://mlp.h5'));
    expect(keras.map((d) => d.name)).toEqual(['mlp.keras']);
    expect(h5.map((d) => d.name)).toEqual(['mlp.h5']);
    expect([...keras[0]!.bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect([...h5[0]!.bytes.subarray(0, 8)]).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const d of [...keras, ...h5]) {
      const loaded = await loadModel(d.bytes);
      expectGolden(loaded, io);
      disposeModel(loaded);
    }
    await new Promise((r) => setTimeout(r, 1200));
    await expect(fetch(keras[0]!.href)).rejects.toThrow();
    disposeModel(model);
  });

  it('downloads:// cannot be read back: a clear IoError', async () => {
    await expect(loadModel('downloads://my-model')).rejects.toThrow('downloads://my-model.json: downloads:// is write-only');
  });
});
