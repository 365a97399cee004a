import { IoError } from '../errors';
import { DownloadsStore } from './downloads';
import { type FsLike, FileSystemStore, loadNodeFs } from './file-system';
import { HttpStore } from './http';
import { IndexedDBStore } from './indexed-db';
import { LocalStorageStore } from './local-storage';
import { type Location, basename, dirname } from './types';

/** The file formats the API dispatches to. `'tfjs'`: TF.js layers-model `model.json` + shards. */
export type FileFormat = 'keras' | 'h5' | 'keras-weights' | 'sharded-weights' | 'tfjs';

/** A resolved target: where the main file is, and its format when the name tells it. */
export interface ResolvedLocation extends Location {
  /** `null` when the name gives no format (bytes will be sniffed). */
  format: FileFormat | null;
  /** What the user passed, for error messages. */
  original: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The format a file name implies, or null. Longest suffixes first: `.weights.h5` is not a legacy `.h5`. */
export function formatOfName(name: string): FileFormat | null {
  const n = name.toLowerCase();
  if (n.endsWith('.weights.h5')) return 'keras-weights';
  if (n.endsWith('.weights.json')) return 'sharded-weights';
  if (n.endsWith('.keras')) return 'keras';
  if (n.endsWith('.h5') || n.endsWith('.hdf5')) return 'h5';
  if (n.endsWith('.json')) return 'tfjs';
  return null;
}

/** The extension of a file name (`.keras`, `.bin`), or '' when it has none. */
export function extensionOf(name: string): string {
  const base = basename(name);
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i);
}

/**
 * Turns a target string into a store + main file:
 * `http(s)://...` (fetch), `indexeddb://name`, `localstorage://name`, `downloads://name`,
 * `file://path` or a plain path (Node file system). A browser-store name or a directory with no
 * format extension holds a TF.js model (`model.json` + shards). `forWrite`: a path that does not
 * exist yet is a directory when it has no extension (`model.save('my_model')`).
 */
export async function resolveLocation(target: string, forWrite: boolean, options: { fs?: FsLike } = {}): Promise<ResolvedLocation> {
  if (typeof target !== 'string' || target === '') throw new IoError(String(target), 'expected a non-empty path, URL or storage key');
  const m = SCHEME.exec(target);
  const scheme = m?.[1]?.toLowerCase();
  if (scheme != null && scheme.length > 1) {
    const rest = target.slice(m![0].length);
    const named = (): { path: string; format: FileFormat | null } => {
      const format = formatOfName(rest);
      // A name with a single-file format keeps it as its file name; anything else is a TF.js model.
      return format == null || format === 'tfjs' ? { path: 'model.json', format: 'tfjs' } : { path: basename(rest), format };
    };
    switch (scheme) {
      case 'http':
      case 'https':
        return { store: new HttpStore(target), path: target, format: formatOfName(new URL(target).pathname), original: target };
      case 'indexeddb':
        return { store: new IndexedDBStore(rest), ...named(), original: target };
      case 'localstorage':
        return { store: new LocalStorageStore(rest), ...named(), original: target };
      case 'downloads':
        return { store: new DownloadsStore(rest), ...named(), original: target };
      case 'file':
        return resolveFsPath(fileUrlPath(target), forWrite, target, options.fs);
      default:
        throw new IoError(target, `unknown scheme "${scheme}://"; use a file path, file://, http(s)://, indexeddb://, localstorage:// or downloads://`);
    }
  }
  return resolveFsPath(target, forWrite, target, options.fs);
}

function fileUrlPath(url: string): string {
  const p = decodeURIComponent(new URL(url).pathname);
  // file:///C:/x -> C:/x on Windows.
  return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
}

async function resolveFsPath(path: string, forWrite: boolean, original: string, fs?: FsLike): Promise<ResolvedLocation> {
  const format = formatOfName(path);
  const trailingSlash = /[\\/]$/.test(path);
  if (format != null && !trailingSlash) {
    return { store: new FileSystemStore(dirname(path), { fs }), path: basename(path), format, original };
  }
  const asDirectory = (): ResolvedLocation => ({
    store: new FileSystemStore(path.replace(/[\\/]+$/, '') || '/', { fs }),
    path: 'model.json',
    format: 'tfjs',
    original,
  });
  if (trailingSlash) return asDirectory();
  const fsImpl = fs ?? (await loadNodeFs());
  const isDir = await fsImpl.stat(path).then(
    (s) => s.isDirectory(),
    () => null,
  );
  if (isDir === true) return asDirectory();
  if (forWrite) {
    if (isDir === null && extensionOf(path) === '') return asDirectory();
    throw new IoError(
      original,
      `unknown extension "${extensionOf(path)}" for saving: use .keras (Keras format, recommended), .h5 (legacy HDF5), or a directory / model.json (TF.js format)`,
    );
  }
  // An existing file with an unknown extension (or a missing one, reported when read): its bytes decide the format.
  return { store: new FileSystemStore(dirname(path), { fs }), path: basename(path), format: null, original };
}
