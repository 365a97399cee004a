import { IoError } from '../errors';
import { type FileStore, type StoredFile, type WriteOptions, ownBytes } from './types';

/** Database and object store holding the models saved to `indexeddb://`. */
export const IDB_DATABASE = 'strata_models';
export const IDB_OBJECT_STORE = 'models';

/** One saved model: all its files, written and replaced together in one transaction. */
interface ModelRecord {
  files: Record<string, Uint8Array>;
  dateSaved: string;
}

export interface IndexedDBStoreOptions {
  /** Defaults to the global `indexedDB` (browsers). Tests pass a fake `IDBFactory`. */
  indexedDB?: IDBFactory;
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function completed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * `indexeddb://name`: a model's files in the browser's IndexedDB, as one record
 * `{ files: { path: bytes }, dateSaved }` keyed by `name` in the `strata_models` database.
 * A save replaces the whole record in one transaction, so no stale shard or half-saved model remains.
 */
export class IndexedDBStore implements FileStore {
  readonly name: string;
  private readonly factory: IDBFactory | undefined;

  constructor(name: string, options: IndexedDBStoreOptions = {}) {
    if (name === '') throw new IoError('indexeddb://', 'empty model name; use indexeddb://<name>');
    this.name = name;
    this.factory = options.indexedDB ?? (typeof indexedDB !== 'undefined' ? indexedDB : undefined);
  }

  describe(path: string): string {
    return `indexeddb://${this.name}/${path.replace(/^(\.\/)+/, '')}`;
  }

  private async open(): Promise<IDBDatabase> {
    const where = `indexeddb://${this.name}`;
    if (this.factory == null) throw new IoError(where, 'IndexedDB is not available in this environment');
    const req = this.factory.open(IDB_DATABASE, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(IDB_OBJECT_STORE)) db.createObjectStore(IDB_OBJECT_STORE);
    };
    try {
      return await promised(req);
    } catch (e) {
      throw new IoError(where, `cannot open the IndexedDB database: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }

  private async record(): Promise<ModelRecord | undefined> {
    const db = await this.open();
    try {
      const tx = db.transaction(IDB_OBJECT_STORE, 'readonly');
      return (await promised(tx.objectStore(IDB_OBJECT_STORE).get(this.name))) as ModelRecord | undefined;
    } catch (e) {
      throw new IoError(`indexeddb://${this.name}`, `cannot read from IndexedDB: ${(e as Error)?.message ?? e}`, { cause: e });
    } finally {
      db.close();
    }
  }

  async read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
    const rec = await this.record();
    if (rec == null) throw new IoError(`indexeddb://${this.name}`, 'no model saved under this name');
    const data = rec.files[path.replace(/^(\.\/)+/, '')];
    if (data == null) throw new IoError(this.describe(path), `no such file (the saved model has: ${Object.keys(rec.files).join(', ')})`);
    onProgress?.(1);
    return ownBytes(data);
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    const record: ModelRecord = { files: {}, dateSaved: new Date().toISOString() };
    for (const f of files) record.files[f.path.replace(/^(\.\/)+/, '')] = ownBytes(f.data);
    const db = await this.open();
    try {
      const tx = db.transaction(IDB_OBJECT_STORE, 'readwrite');
      const done = completed(tx);
      const store = tx.objectStore(IDB_OBJECT_STORE);
      if (options.overwrite === false && (await promised(store.get(this.name))) != null) {
        tx.abort();
        await done.catch(() => undefined);
        throw new IoError(`indexeddb://${this.name}`, 'a model is already saved under this name and overwrite is false');
      }
      store.put(record, this.name);
      await done;
    } catch (e) {
      if (e instanceof IoError) throw e;
      throw new IoError(`indexeddb://${this.name}`, `cannot write to IndexedDB: ${(e as Error)?.message ?? e}`, { cause: e });
    } finally {
      db.close();
    }
    options.onProgress?.(1);
  }
}
