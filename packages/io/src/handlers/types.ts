/** One file of a saved model: its path relative to the store's root, and its bytes. */
export interface StoredFile {
  path: string;
  data: Uint8Array;
}

/** Options of `FileStore.write`. */
export interface WriteOptions {
  /** Replace existing files (default true). When false, an existing file makes the write throw before anything is written. */
  overwrite?: boolean;
  /** Called with a number in [0, 1] as files are written. */
  onProgress?: (fraction: number) => void;
}

/**
 * Somewhere model files can be read from and written to: a directory, a URL, a browser store,
 * memory. Paths are relative to the store's root and use `/`; a TF.js `model.json` and its
 * weight shards live side by side under one root.
 */
export interface FileStore {
  /** What the file at `path` is called in error messages: a full path, URL or `scheme://name/path`. */
  describe(path: string): string;
  /** The bytes of one file; throws `IoError` naming it when it is missing or unreadable. */
  read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array>;
  /** Writes all files, as atomically as the medium allows (no partial file replaces an old one). */
  write(files: readonly StoredFile[], options?: WriteOptions): Promise<void>;
}

/** A store plus the path of the main file inside it (`model.keras`, `model.json`, ...). */
export interface Location {
  store: FileStore;
  path: string;
}

/** The part of a path after the last `/` or `\`. */
export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

/** The part of a path before the last `/` or `\` (`''` for a bare name, `'/'` for a file at the root). */
export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return '';
  return i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/** Joins a directory and a relative path with `/` (accepted by Node on every platform), dropping `./`. */
export function joinPath(dir: string, path: string): string {
  const rel = path.replace(/^(\.\/)+/, '');
  if (dir === '') return rel;
  return /[\\/]$/.test(dir) ? dir + rel : `${dir}/${rel}`;
}

/** Copies bytes into a fresh Uint8Array that owns its whole buffer (safe to store or transfer). */
export function ownBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data);
}
