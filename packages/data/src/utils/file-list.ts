import { ValueError } from '@strata/core';

/**
 * One file of a directory given as a list (the browser form of the `*DatasetFromDirectory`
 * utilities): its path relative to the directory root, `/`-separated (`cats/001.png`), and where
 * its bytes are: a URL to fetch, or a `Blob` / `File`.
 */
export interface DirectoryEntry {
  path: string;
  source: string | Blob;
}

/**
 * A directory as a list: `DirectoryEntry`s, or the `File`s of an `<input type="file" webkitdirectory>`
 * (a `FileList` or array; each file's `webkitRelativePath` minus the picked folder's name is its
 * path, a file without one sits at the root).
 */
export type DirectoryListing = readonly (DirectoryEntry | File)[] | ArrayLike<File>;

/** A listing's files by normalised relative path. */
export type FileMap = Map<string, string | Blob>;

const isBlob = (x: unknown): x is Blob => typeof Blob !== 'undefined' && x instanceof Blob;
const isFile = (x: unknown): x is File => typeof File !== 'undefined' && x instanceof File;

/** Whether `x` is a directory listing rather than a path string. */
export function isDirectoryListing(x: unknown): x is DirectoryListing {
  return x != null && typeof x === 'object' && typeof (x as ArrayLike<unknown>).length === 'number';
}

/** Drops `./` and leading `/`, and collapses repeated `/`; `..` is refused. */
function normalizePath(path: string, who: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) {
    throw new ValueError(`${who}: every listed file needs a relative path without "..". Received: path=${JSON.stringify(path)}`);
  }
  return parts.join('/');
}

/** Checks a listing and maps its normalised paths to their sources. */
export function toFileMap(listing: DirectoryListing, who: string): FileMap {
  const map: FileMap = new Map();
  const n = listing.length;
  for (let i = 0; i < n; i++) {
    const item = (listing as ArrayLike<DirectoryEntry | File>)[i];
    let path: string;
    let source: string | Blob;
    if (isFile(item)) {
      // webkitRelativePath is "<picked folder>/<class>/<file>"; the picked folder is the root.
      const rel = item.webkitRelativePath ?? '';
      path = rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : item.name;
      source = item;
    } else if (item != null && typeof item === 'object' && typeof item.path === 'string' && (typeof item.source === 'string' || isBlob(item.source))) {
      path = item.path;
      source = item.source;
    } else {
      throw new ValueError(
        `${who}: a directory listing holds File objects or { path, source } entries (source: a URL or a Blob). Received at index ${i}: ${String(item)}`,
      );
    }
    const key = normalizePath(path, who);
    if (map.has(key)) throw new ValueError(`${who}: the path ${key} is listed twice.`);
    map.set(key, source);
  }
  return map;
}

/**
 * The entries of folder `dir` ('' for the root) of a listing, as `readdir` would give them:
 * files, and the subfolders implied by deeper paths.
 */
export function listFolder(files: FileMap, dir: string): { name: string; isDir: boolean }[] | null {
  const prefix = dir === '' ? '' : `${dir}/`;
  const seen = new Map<string, boolean>();
  for (const p of files.keys()) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) seen.set(rest, false);
    else seen.set(rest.slice(0, slash), true);
  }
  if (seen.size === 0 && dir !== '') return null;
  return [...seen].map(([name, isDir]) => ({ name, isDir }));
}

/** The bytes of a listed file: fetched for a URL, read for a Blob / File. */
export async function readListedFile(files: FileMap, path: string, who: string): Promise<Uint8Array> {
  const source = files.get(path);
  if (source == null) throw new ValueError(`${who}: ${path} is not in the directory listing.`);
  if (typeof source !== 'string') {
    try {
      return new Uint8Array(await source.arrayBuffer());
    } catch (e) {
      throw new ValueError(`${who}: cannot read file ${path}: ${(e as Error).message}`);
    }
  }
  let res: Response;
  try {
    res = await fetch(source);
  } catch (e) {
    throw new ValueError(`${who}: cannot fetch ${path} from ${source}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ValueError(`${who}: cannot fetch ${path} from ${source}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}
