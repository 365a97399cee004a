import { IoError, MEMORY_SOURCE } from '../errors';
import { type FileStore, type Location, type StoredFile, type WriteOptions, joinPath, ownBytes } from './types';

/**
 * Model files kept in memory, by path. `saveModel(model, store.at('model.keras'))` fills it;
 * `loadModel(store.at('model.keras'))` reads back. `files` can be inspected or filled directly.
 */
export class MemoryStore implements FileStore {
  readonly files = new Map<string, Uint8Array>();

  /** A location inside this store, usable as a `saveModel`/`loadModel` target. */
  at(path: string): Location {
    return { store: this, path };
  }

  describe(path: string): string {
    return joinPath(MEMORY_SOURCE, path);
  }

  async read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
    const data = this.files.get(normalize(path));
    if (data == null) {
      const have = [...this.files.keys()];
      throw new IoError(this.describe(path), `no such file in memory (have: ${have.length ? have.join(', ') : 'nothing'})`);
    }
    onProgress?.(1);
    return data;
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    if (options.overwrite === false) {
      for (const f of files) {
        if (this.files.has(normalize(f.path))) throw new IoError(this.describe(f.path), 'the file already exists and overwrite is false');
      }
    }
    // Copies: later changes to the caller's buffers must not change what was saved.
    for (const f of files) this.files.set(normalize(f.path), ownBytes(f.data));
    options.onProgress?.(1);
  }
}

function normalize(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}
