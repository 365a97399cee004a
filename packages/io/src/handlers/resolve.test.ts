import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IoError } from '../errors';
import { DownloadsStore } from './downloads';
import { FileSystemStore } from './file-system';
import { HttpStore } from './http';
import { IndexedDBStore } from './indexed-db';
import { LocalStorageStore } from './local-storage';
import { extensionOf, formatOfName, resolveLocation } from './resolve';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-io-resolve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('formatOfName', () => {
  it('maps extensions to formats, longest suffix first', () => {
    expect(formatOfName('a/b/model.keras')).toBe('keras');
    expect(formatOfName('M.KERAS')).toBe('keras');
    expect(formatOfName('m.h5')).toBe('h5');
    expect(formatOfName('m.hdf5')).toBe('h5');
    expect(formatOfName('w.weights.h5')).toBe('keras-weights');
    expect(formatOfName('w.weights.json')).toBe('sharded-weights');
    expect(formatOfName('model.json')).toBe('tfjs');
    expect(formatOfName('model.bin')).toBeNull();
    expect(formatOfName('dir')).toBeNull();
    expect(extensionOf('a.b/c')).toBe('');
    expect(extensionOf('x/.hidden')).toBe('');
    expect(extensionOf('x/m.pb')).toBe('.pb');
  });
});

describe('resolveLocation', () => {
  it('plain paths: the file in its directory', async () => {
    const loc = await resolveLocation(join(dir, 'm.keras'), true);
    expect(loc.store).toBeInstanceOf(FileSystemStore);
    expect((loc.store as FileSystemStore).root).toBe(dir);
    expect(loc.path).toBe('m.keras');
    expect(loc.format).toBe('keras');
  });

  it('file:// URLs are file paths', async () => {
    const loc = await resolveLocation(pathToFileURL(join(dir, 'w.weights.h5')).href, false);
    expect(loc.store).toBeInstanceOf(FileSystemStore);
    expect(loc.store.describe(loc.path).replace(/\\/g, '/')).toBe(join(dir, 'w.weights.h5').replace(/\\/g, '/'));
    expect(loc.format).toBe('keras-weights');
  });

  it('a directory (existing, trailing slash, or a new name without extension when saving) holds a TF.js model.json', async () => {
    mkdirSync(join(dir, 'existing'));
    for (const [target, forWrite] of [
      [join(dir, 'existing'), false],
      [`${join(dir, 'new')}/`, false],
      [join(dir, 'fresh_model'), true],
    ] as const) {
      const loc = await resolveLocation(target, forWrite);
      expect(loc.path).toBe('model.json');
      expect(loc.format).toBe('tfjs');
      expect((loc.store as FileSystemStore).root).toBe(target.replace(/\/$/, ''));
    }
  });

  it('saving to an unknown extension is refused, naming the path and the extension', async () => {
    const target = join(dir, 'model.pb');
    await expect(resolveLocation(target, true)).rejects.toThrow(IoError);
    await expect(resolveLocation(target, true)).rejects.toThrow(`${target}: unknown extension ".pb" for saving`);
    writeFileSync(join(dir, 'existing.bin'), 'x');
    await expect(resolveLocation(join(dir, 'existing.bin'), true)).rejects.toThrow(/existing\.bin: unknown extension "\.bin"/);
  });

  it('loading an existing file with an unknown extension leaves the format to the bytes', async () => {
    writeFileSync(join(dir, 'blob.bin'), 'x');
    const loc = await resolveLocation(join(dir, 'blob.bin'), false);
    expect(loc.format).toBeNull();
    expect(loc.path).toBe('blob.bin');
  });

  it('schemes pick the store; browser names without a file extension are TF.js models', async () => {
    const http = await resolveLocation('https://host.test/m/model.json', false);
    expect(http.store).toBeInstanceOf(HttpStore);
    expect(http.format).toBe('tfjs');
    expect(http.store.describe('group1-shard1of1.bin')).toBe('https://host.test/m/group1-shard1of1.bin');
    expect((await resolveLocation('http://host.test/x.keras?token=1', false)).format).toBe('keras');

    const idb = await resolveLocation('indexeddb://my-model', true);
    expect(idb.store).toBeInstanceOf(IndexedDBStore);
    expect([idb.path, idb.format]).toEqual(['model.json', 'tfjs']);
    const ls = await resolveLocation('localstorage://net.keras', true);
    expect(ls.store).toBeInstanceOf(LocalStorageStore);
    expect([ls.path, ls.format]).toEqual(['net.keras', 'keras']);
    const dl = await resolveLocation('downloads://my-net', true);
    expect(dl.store).toBeInstanceOf(DownloadsStore);
    expect(dl.store.describe(dl.path)).toBe('downloads://my-net.json');
  });

  it('unknown schemes and empty targets are refused', async () => {
    await expect(resolveLocation('s3://bucket/m.keras', false)).rejects.toThrow(/s3:\/\/bucket\/m\.keras: unknown scheme "s3:\/\/"/);
    await expect(resolveLocation('', false)).rejects.toThrow(IoError);
    await expect(resolveLocation('indexeddb://', true)).rejects.toThrow(/empty model name/);
  });
});
