import { IoError } from '../errors';
import { type FileStore, type StoredFile, type WriteOptions, basename, dirname, joinPath } from './types';

/** The subset of `node:fs/promises` the file-system store uses (injectable for tests). */
export interface FsLike {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}

function errorCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

function describeFsError(e: unknown): string {
  switch (errorCode(e)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return (e as Error)?.message ?? String(e);
  }
}

let nodeFs: Promise<FsLike> | null = null;

/** `node:fs/promises`, imported on first use so that browser bundles never load it. */
export function loadNodeFs(): Promise<FsLike> {
  nodeFs ??= import('node:fs/promises').then((m) => m as unknown as FsLike).catch((e: unknown) => {
    nodeFs = null;
    throw new IoError('<file system>', `no file system here (node:fs/promises could not be loaded: ${(e as Error)?.message ?? e}); use an http(s)://, indexeddb://, localstorage:// or downloads:// path, or bytes`);
  });
  return nodeFs;
}

let tempCounter = 0;

/** Model files in a directory of the local file system (Node). Writes go to a temp file in the same directory, then `rename`. */
export class FileSystemStore implements FileStore {
  readonly root: string;
  private readonly fsOverride: FsLike | undefined;

  /** `root`: the directory; `fs`: a `node:fs/promises`-like object (tests inject failures through it). */
  constructor(root: string, options: { fs?: FsLike } = {}) {
    this.root = root;
    this.fsOverride = options.fs;
  }

  private fs(): Promise<FsLike> {
    return this.fsOverride ? Promise.resolve(this.fsOverride) : loadNodeFs();
  }

  describe(path: string): string {
    return joinPath(this.root, path);
  }

  async read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
    const fs = await this.fs();
    const full = this.describe(path);
    let data: Uint8Array;
    try {
      data = await fs.readFile(full);
    } catch (e) {
      throw new IoError(full, `cannot read the file: ${describeFsError(e)}`, { cause: e });
    }
    onProgress?.(1);
    // Node returns a Buffer that may share a pooled ArrayBuffer: hand out a plain view of its own bytes.
    return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    const fs = await this.fs();
    if (options.overwrite === false) {
      for (const f of files) {
        const full = this.describe(f.path);
        const exists = await fs.stat(full).then(
          () => true,
          () => false,
        );
        if (exists) throw new IoError(full, 'the file already exists and overwrite is false');
      }
    }
    let done = 0;
    for (const f of files) {
      await this.writeOne(fs, this.describe(f.path), f.data);
      done += 1;
      options.onProgress?.(done / files.length);
    }
  }

  /** Writes to `.<name>.<pid>-<n>.tmp` next to the target, then renames over it: readers see the old file or the new one, never half of one. */
  private async writeOne(fs: FsLike, full: string, data: Uint8Array): Promise<void> {
    const dir = dirname(full);
    if (dir !== '') {
      try {
        await fs.mkdir(dir, { recursive: true });
      } catch (e) {
        throw new IoError(full, `cannot create the directory ${dir}: ${describeFsError(e)}`, { cause: e });
      }
    }
    const isDir = await fs.stat(full).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir) throw new IoError(full, 'is an existing directory; give a file path');
    const pid = typeof process !== 'undefined' && typeof process.pid === 'number' ? process.pid : 0;
    tempCounter += 1;
    const temp = joinPath(dir, `.${basename(full)}.${pid}-${tempCounter}.tmp`);
    try {
      await fs.writeFile(temp, data);
      await fs.rename(temp, full);
    } catch (e) {
      await fs.unlink(temp).catch(() => undefined);
      throw new IoError(full, `cannot write the file: ${describeFsError(e)}`, { cause: e });
    }
  }
}
