import { describe, expect, it } from 'vitest';
import { IoError } from '../errors';
import { decodeBase64, encodeBase64 } from './base64';
import { type DownloadEnvironment, DownloadsStore } from './downloads';
import { IDB_DATABASE, IDB_OBJECT_STORE, IndexedDBStore } from './indexed-db';
import { LOCAL_STORAGE_PREFIX, LocalStorageStore, type StorageLike } from './local-storage';
import { FakeIDBFactory } from './fake-indexeddb';
import { MemoryStore } from './memory';

const enc = (s: string) => new TextEncoder().encode(s);

describe('IndexedDBStore (through a fake IDBFactory)', () => {
  it('saves all files of a model as one record and reads each back', async () => {
    const factory = new FakeIDBFactory();
    const store = new IndexedDBStore('my-model', { indexedDB: factory as unknown as IDBFactory });
    const shard = new Uint8Array([0, 255, 7, 128]);
    await store.write([
      { path: 'model.json', data: enc('{"x":1}') },
      { path: './group1-shard1of1.bin', data: shard },
    ]);
    shard[0] = 99; // the saved copy must not change with the caller's buffer
    expect(factory.opened).toEqual([IDB_DATABASE]);
    const rec = factory.dbs.get(IDB_DATABASE)!.stores.get(IDB_OBJECT_STORE)!.get('my-model') as { files: Record<string, Uint8Array> };
    expect(Object.keys(rec.files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(new TextDecoder().decode(await store.read('model.json'))).toBe('{"x":1}');
    expect([...(await store.read('group1-shard1of1.bin'))]).toEqual([0, 255, 7, 128]);
    // Every connection is closed again.
    expect(factory.dbs.get(IDB_DATABASE)!.closed).toBe(3);
  });

  it('a second save replaces the whole record (no stale shard)', async () => {
    const factory = new FakeIDBFactory();
    const store = new IndexedDBStore('m', { indexedDB: factory as unknown as IDBFactory });
    await store.write([
      { path: 'model.json', data: enc('{}') },
      { path: 'group1-shard1of2.bin', data: new Uint8Array(1) },
      { path: 'group1-shard2of2.bin', data: new Uint8Array(1) },
    ]);
    await store.write([
      { path: 'model.json', data: enc('{"v":2}') },
      { path: 'group1-shard1of1.bin', data: new Uint8Array([5]) },
    ]);
    await expect(store.read('group1-shard2of2.bin')).rejects.toThrow(/indexeddb:\/\/m\/group1-shard2of2\.bin: no such file/);
    expect([...(await store.read('group1-shard1of1.bin'))]).toEqual([5]);
  });

  it('a failing transaction leaves the previous model untouched', async () => {
    const factory = new FakeIDBFactory();
    const store = new IndexedDBStore('m', { indexedDB: factory as unknown as IDBFactory });
    await store.write([{ path: 'model.json', data: enc('"old"') }]);
    factory.failPuts = true;
    const err = await store.write([{ path: 'model.json', data: enc('"new"') }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/indexeddb:\/\/m: cannot write to IndexedDB: QuotaExceededError/);
    factory.failPuts = false;
    expect(new TextDecoder().decode(await store.read('model.json'))).toBe('"old"');
  });

  it('overwrite: false refuses an existing name', async () => {
    const factory = new FakeIDBFactory();
    const store = new IndexedDBStore('m', { indexedDB: factory as unknown as IDBFactory });
    await store.write([{ path: 'model.json', data: enc('"a"') }]);
    await expect(store.write([{ path: 'model.json', data: enc('"b"') }], { overwrite: false })).rejects.toThrow(
      /indexeddb:\/\/m: a model is already saved under this name/,
    );
    expect(new TextDecoder().decode(await store.read('model.json'))).toBe('"a"');
  });

  it('a missing model or missing IndexedDB is a clear IoError', async () => {
    const store = new IndexedDBStore('ghost', { indexedDB: new FakeIDBFactory() as unknown as IDBFactory });
    await expect(store.read('model.json')).rejects.toThrow(/indexeddb:\/\/ghost: no model saved under this name/);
    const noIdb = new IndexedDBStore('x', { indexedDB: undefined });
    if (typeof indexedDB === 'undefined') await expect(noIdb.read('model.json')).rejects.toThrow(/IndexedDB is not available/);
    expect(() => new IndexedDBStore('')).toThrow(IoError);
  });
});

class FakeStorage implements StorageLike {
  readonly map = new Map<string, string>();
  constructor(private readonly quotaChars = Number.POSITIVE_INFINITY) {}
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (v.length > this.quotaChars) throw new Error('QuotaExceededError: the quota has been exceeded');
    this.map.set(k, v);
  }
}

describe('LocalStorageStore (through an injected Storage)', () => {
  it('stores the files base64-encoded under one key and reads them back', async () => {
    const storage = new FakeStorage();
    const store = new LocalStorageStore('net', { storage });
    await store.write([
      { path: 'model.json', data: enc('{"k":true}') },
      { path: 'group1-shard1of1.bin', data: new Uint8Array([251, 255, 0, 1, 2]) },
    ]);
    const raw = JSON.parse(storage.getItem(`${LOCAL_STORAGE_PREFIX}net`)!) as { files: Record<string, string> };
    // Independent reference: Node's Buffer base64.
    expect(raw.files['group1-shard1of1.bin']).toBe(Buffer.from([251, 255, 0, 1, 2]).toString('base64'));
    expect(raw.files['model.json']).toBe(Buffer.from('{"k":true}').toString('base64'));
    expect([...(await store.read('group1-shard1of1.bin'))]).toEqual([251, 255, 0, 1, 2]);
  });

  it('a save over the quota is an IoError and keeps the previous model', async () => {
    const storage = new FakeStorage(200);
    const store = new LocalStorageStore('q', { storage });
    await store.write([{ path: 'a.keras', data: new Uint8Array([1, 2, 3]) }]);
    await expect(store.write([{ path: 'a.keras', data: new Uint8Array(500) }])).rejects.toThrow(/localstorage:\/\/q: cannot store the model.*QuotaExceeded/);
    expect([...(await store.read('a.keras'))]).toEqual([1, 2, 3]);
  });

  it('missing and corrupted entries name the key', async () => {
    const storage = new FakeStorage();
    await expect(new LocalStorageStore('none', { storage }).read('model.json')).rejects.toThrow(/localstorage:\/\/none: no model saved/);
    storage.setItem(`${LOCAL_STORAGE_PREFIX}bad`, '{not json');
    await expect(new LocalStorageStore('bad', { storage }).read('model.json')).rejects.toThrow(/localstorage:\/\/bad: the stored entry is corrupted/);
    storage.setItem(`${LOCAL_STORAGE_PREFIX}b64`, JSON.stringify({ files: { 'model.json': 'ab$=' } }));
    await expect(new LocalStorageStore('b64', { storage }).read('model.json')).rejects.toThrow(/localstorage:\/\/b64\/model\.json: the stored data is not valid base64/);
  });
});

describe('base64', () => {
  it('matches Node Buffer for every length mod 3 and all byte values', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let n = 0; n <= 20; n++) {
      const b = all.subarray(0, n).map((v, i) => (v * 37 + i * 11) & 255);
      expect(encodeBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect([...decodeBase64(Buffer.from(b).toString('base64'))!]).toEqual([...b]);
    }
    expect(encodeBase64(all)).toBe(Buffer.from(all).toString('base64'));
    expect(decodeBase64('abc')).toBeNull();
    expect(decodeBase64('a=bc')).toBeNull();
  });
});

describe('DownloadsStore (through an injected environment)', () => {
  it('clicks one anchor per file with an object URL; model.json is named <name>.json', async () => {
    const clicks: { href: string; download: string }[] = [];
    const blobs: Blob[] = [];
    const revoked: string[] = [];
    const env: DownloadEnvironment = {
      createObjectURL: (b) => {
        blobs.push(b);
        return `blob:${blobs.length}`;
      },
      revokeObjectURL: (u) => revoked.push(u),
      createAnchor: () => {
        const a = {
          href: '',
          download: '',
          click() {
            clicks.push({ href: a.href, download: a.download });
          },
        };
        return a;
      },
    };
    const store = new DownloadsStore('my-net', { environment: env, revokeDelayMs: 0 });
    await store.write([
      { path: 'model.json', data: enc('{}') },
      { path: 'group1-shard1of1.bin', data: new Uint8Array([1, 2]) },
    ]);
    expect(clicks).toEqual([
      { href: 'blob:1', download: 'my-net.json' },
      { href: 'blob:2', download: 'group1-shard1of1.bin' },
    ]);
    expect(blobs[0]!.type).toBe('application/json');
    expect([...new Uint8Array(await blobs[1]!.arrayBuffer())]).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 5));
    expect(revoked).toEqual(['blob:1', 'blob:2']);
    await expect(store.read('model.json')).rejects.toThrow(/downloads:\/\/my-net\.json: downloads:\/\/ is write-only/);
  });

  it('without a browser it says so', async () => {
    await expect(new DownloadsStore('x', {}).write([{ path: 'x.keras', data: new Uint8Array(1) }])).rejects.toThrow(
      /downloads:\/\/x: downloads need a browser/,
    );
  });
});

describe('MemoryStore', () => {
  it('keeps copies of the written files', async () => {
    const store = new MemoryStore();
    const data = new Uint8Array([1, 2, 3]);
    await store.write([{ path: './m.keras', data }]);
    data[0] = 9;
    expect([...(await store.read('m.keras'))]).toEqual([1, 2, 3]);
    expect(store.at('m.keras')).toEqual({ store, path: 'm.keras' });
    await expect(store.read('other.h5')).rejects.toThrow(/<memory>\/other\.h5: no such file in memory \(have: m\.keras\)/);
    await expect(store.write([{ path: 'm.keras', data }], { overwrite: false })).rejects.toThrow(/already exists/);
  });
});
