import { IoError } from '../errors';
import { decodeBase64, encodeBase64 } from './base64';
import type { FileStore, StoredFile, WriteOptions } from './types';

/** Prefix of the localStorage keys of saved models: `strata_models/<name>`. */
export const LOCAL_STORAGE_PREFIX = 'strata_models/';

/** The subset of the Web Storage API the store uses (injectable for tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * `localstorage://name`: a model's files in `localStorage` under one key, as JSON
 * `{ "files": { path: base64 }, "dateSaved": ISO date }`. One `setItem` replaces the whole model,
 * so a save that exceeds the quota leaves the previous one untouched.
 */
export class LocalStorageStore implements FileStore {
  readonly name: string;
  private readonly storage: StorageLike | undefined;

  constructor(name: string, options: { storage?: StorageLike } = {}) {
    if (name === '') throw new IoError('localstorage://', 'empty model name; use localstorage://<name>');
    this.name = name;
    this.storage = options.storage ?? (typeof localStorage !== 'undefined' ? localStorage : undefined);
  }

  get key(): string {
    return LOCAL_STORAGE_PREFIX + this.name;
  }

  describe(path: string): string {
    return `localstorage://${this.name}/${path.replace(/^(\.\/)+/, '')}`;
  }

  private requireStorage(): StorageLike {
    if (this.storage == null) throw new IoError(`localstorage://${this.name}`, 'localStorage is not available in this environment');
    return this.storage;
  }

  async read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
    const where = `localstorage://${this.name}`;
    const text = this.requireStorage().getItem(this.key);
    if (text == null) throw new IoError(where, 'no model saved under this name');
    let files: Record<string, unknown>;
    try {
      files = (JSON.parse(text) as { files: Record<string, unknown> }).files;
      if (files == null || typeof files !== 'object') throw new Error('no "files" object');
    } catch (e) {
      throw new IoError(where, `the stored entry is corrupted: ${(e as Error).message}`);
    }
    const b64 = files[path.replace(/^(\.\/)+/, '')];
    if (typeof b64 !== 'string') throw new IoError(this.describe(path), `no such file (the saved model has: ${Object.keys(files).join(', ')})`);
    const data = decodeBase64(b64);
    if (data == null) throw new IoError(this.describe(path), 'the stored data is not valid base64');
    onProgress?.(1);
    return data;
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    const storage = this.requireStorage();
    const where = `localstorage://${this.name}`;
    if (options.overwrite === false && storage.getItem(this.key) != null) {
      throw new IoError(where, 'a model is already saved under this name and overwrite is false');
    }
    const encoded: Record<string, string> = {};
    for (const f of files) encoded[f.path.replace(/^(\.\/)+/, '')] = encodeBase64(f.data);
    try {
      storage.setItem(this.key, JSON.stringify({ files: encoded, dateSaved: new Date().toISOString() }));
    } catch (e) {
      throw new IoError(where, `cannot store the model (localStorage quota exceeded?): ${(e as Error)?.message ?? e}`, { cause: e });
    }
    options.onProgress?.(1);
  }
}
