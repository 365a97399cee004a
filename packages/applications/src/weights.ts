import { type FileStore, IndexedDBStore, IoError, readKerasWeights, readLegacyWeights } from '@strata/io';
import type { Model } from '@strata/models';
import SparkMD5 from 'spark-md5';
import { isNode } from './imagenet-utils';

/** Options of `getFile`. */
export interface GetFileOptions {
  /** md5 (32 hex digits) or sha256 (64) of the file, as Keras' `file_hash`; null skips the check. */
  fileHash?: string | null;
  /** Subfolder of the cache (Keras' `cache_subdir`, default 'models'). */
  cacheSubdir?: string;
  /** Show a download progress bar on stderr (default true). */
  progress?: boolean;
}

/** A file found in a cache or downloaded: its bytes and where it lies (a file path in Node, an `indexeddb://` name in the browser, null when not cached). */
export interface FetchedFile {
  bytes: Uint8Array;
  path: string | null;
}

/** Strata's cache folder: `$STRATA_HOME`, else `~/.strata`. */
export async function strataHome(): Promise<string> {
  const os = await import('node:os');
  const path = await import('node:path');
  return process.env.STRATA_HOME || path.join(os.homedir(), '.strata');
}

/** Keras' cache folder: `$KERAS_HOME`, else `~/.keras`, so files a Python user downloaded are reused. */
export async function kerasHome(): Promise<string> {
  const os = await import('node:os');
  const path = await import('node:path');
  return process.env.KERAS_HOME || path.join(os.homedir(), '.keras');
}

/** The algorithm Keras' `get_file` infers from a hash: 64 hex digits are sha256, anything else md5. */
function hashAlgorithm(expected: string): 'sha256' | 'md5' {
  return expected.length === 64 ? 'sha256' : 'md5';
}

/**
 * Hex md5 of `bytes`, in pure JS (spark-md5), for browsers: WebCrypto has no md5, and Keras'
 * application weights are published with md5 hashes only.
 */
export function md5Hex(bytes: Uint8Array): string {
  // spark-md5 hashes a whole ArrayBuffer; copy only when `bytes` is a view on part of one.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  return SparkMD5.ArrayBuffer.hash(buffer);
}

/**
 * Hex digest of `bytes` with the algorithm Keras infers from the hash length (64 -> sha256, else
 * md5). Node uses node:crypto (about 3x faster than spark-md5 on the 100+ MB weight files);
 * browsers use spark-md5 for md5 and WebCrypto for sha256, so files are checked everywhere.
 */
export async function hashBytes(bytes: Uint8Array, expected: string, runtime: 'node' | 'browser' = isNode() ? 'node' : 'browser'): Promise<string> {
  const algorithm = hashAlgorithm(expected);
  if (runtime === 'node') {
    const crypto = await import('node:crypto');
    return crypto.createHash(algorithm).update(bytes).digest('hex');
  }
  if (algorithm === 'md5') return md5Hex(bytes);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Keras' `keras.utils.get_file` for the application weights: returns the file `fname` from the
 * Strata cache (`$STRATA_HOME/<cacheSubdir>`), else from the Keras cache (`~/.keras/<cacheSubdir>`),
 * else downloads `origin` with the global `fetch` (progress bar on stderr), checks its hash and
 * writes it atomically into the Strata cache. A cached file with a wrong hash is downloaded again,
 * as Keras does. Offline or on a failed download it throws an `IoError` naming the file, the URL
 * and where to put the file by hand.
 */
export async function getFile(fname: string, origin: string, options: GetFileOptions = {}): Promise<FetchedFile> {
  const fileHash = options.fileHash ?? null;
  const subdir = options.cacheSubdir ?? 'models';
  if (!isNode()) {
    // Browser: IndexedDB is the cache (one record per file); without it, fetch every time.
    const store = typeof indexedDB !== 'undefined' ? new IndexedDBStore(`keras-applications/${subdir}/${fname}`) : null;
    return getFileFromStore(store, fname, origin, fileHash);
  }
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const strataDir = path.join(await strataHome(), subdir);
  const kerasDir = path.join(await kerasHome(), subdir);
  for (const dir of [strataDir, kerasDir]) {
    const candidate = path.join(dir, fname);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(candidate));
    } catch {
      continue;
    }
    if (fileHash == null || (await hashBytes(bytes, fileHash)) === fileHash.toLowerCase()) return { bytes, path: candidate };
    console.warn(`A local file was found at ${candidate}, but it seems to be incomplete or outdated because the ${hashAlgorithm(fileHash)} file hash does not match the original value of ${fileHash}, so it will be downloaded again.`);
  }
  const target = path.join(strataDir, fname);
  const bytes = await download(fname, origin, target, options.progress ?? true);
  await checkHash(bytes, fileHash, fname, origin);
  await fs.mkdir(strataDir, { recursive: true });
  // Atomic: a reader never sees a half-written file, and a crash leaves only the temp file.
  const tmp = `${target}.${process.pid}.${Date.now()}.part`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, target);
  return { bytes, path: target };
}

/**
 * `getFile` for a key-value store (the browser's IndexedDB, or any `FileStore`): the cached
 * file when present and matching `fileHash`, else downloaded, checked and written to the store.
 * Exported for tests, which pass a `MemoryStore`; `runtime` picks the hashing code (tests run
 * the browser's spark-md5/WebCrypto path under Node).
 */
export async function getFileFromStore(
  store: FileStore | null,
  fname: string,
  origin: string,
  fileHash: string | null,
  runtime: 'node' | 'browser' = isNode() ? 'node' : 'browser',
): Promise<FetchedFile> {
  if (store != null) {
    let cached: Uint8Array | null = null;
    try {
      cached = await store.read(fname);
    } catch {
      cached = null; // not cached yet
    }
    if (cached != null) {
      if (fileHash == null || (await hashBytes(cached, fileHash, runtime)) === fileHash.toLowerCase()) {
        return { bytes: cached, path: store.describe(fname) };
      }
      console.warn(
        `A cached copy of ${fname} was found at ${store.describe(fname)}, but its ${hashAlgorithm(fileHash)} hash does not match the original value of ${fileHash}, so it will be downloaded again from ${origin}.`,
      );
    }
  }
  const bytes = await download(fname, origin, store != null ? store.describe(fname) : null, false);
  await checkHash(bytes, fileHash, fname, origin, runtime);
  if (store != null) await store.write([{ path: fname, data: bytes }]);
  return { bytes, path: store != null ? store.describe(fname) : null };
}

/** Refuses a download whose hash is not `fileHash`, naming the file, the URL and both hashes. */
async function checkHash(bytes: Uint8Array, fileHash: string | null, fname: string, origin: string, runtime?: 'node' | 'browser'): Promise<void> {
  if (fileHash == null) return;
  const got = await hashBytes(bytes, fileHash, runtime);
  if (got !== fileHash.toLowerCase()) {
    throw new IoError(
      fname,
      `downloaded from ${origin}, but its ${hashAlgorithm(fileHash)} hash ${got} does not match the expected ${fileHash}: the file is corrupted or incomplete.`,
    );
  }
}

async function download(fname: string, origin: string, target: string | null, progress: boolean): Promise<Uint8Array> {
  const where =
    target == null
      ? ''
      : isNode()
        ? ` Download it by hand and put it at ${target} (or in the Keras cache, ~/.keras/models/).`
        : ` It is cached at ${target} once downloaded.`;
  let response: Response;
  try {
    response = await fetch(origin);
  } catch (e) {
    throw new IoError(fname, `could not download it from ${origin}: ${(e as Error).message}.${where}`, { cause: e });
  }
  if (!response.ok) throw new IoError(fname, `could not download it from ${origin}: HTTP ${response.status} ${response.statusText}.${where}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const bar = progress && isNode() ? new ProgressBar(origin, total) : null;
  if (response.body == null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    bar?.done(bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      bar?.update(received);
    }
  } catch (e) {
    throw new IoError(fname, `could not download it from ${origin}: the connection failed after ${received} bytes (${(e as Error).message}).${where}`, { cause: e });
  }
  bar?.done(received);
  const out = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** A one-line download progress bar on stderr, as Keras' `get_file` shows: `Downloading data from <url>` then `123/456 [====>....]`. */
class ProgressBar {
  private lastDraw = 0;
  constructor(
    label: string,
    private readonly total: number,
  ) {
    process.stderr.write(`Downloading data from ${label}\n`);
  }

  update(received: number): void {
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw(received);
  }

  done(received: number): void {
    this.draw(received);
    process.stderr.write('\n');
  }

  private draw(received: number): void {
    const width = 30;
    let line: string;
    if (this.total > 0) {
      const filled = Math.min(width, Math.floor((received / this.total) * width));
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled >= width ? '=' : '>') + '.'.repeat(width - filled);
      line = `${received}/${this.total} [${bar}]`;
    } else {
      line = `${received} bytes`;
    }
    process.stderr.write(`\r${line}`);
  }
}

/**
 * Loads a Keras weights file into `model` as Keras' `model.load_weights(path)` does: a
 * `.weights.h5` file (Keras 3 layout) with `readKerasWeights`; a legacy `.h5`/`.hdf5` file
 * (the Keras Applications files) with topological `readLegacyWeights`. `source` is a path or an
 * http(s) URL; `bytes` may be passed when already read.
 */
export async function loadWeightsFile(model: Model, source: string, bytes?: Uint8Array): Promise<void> {
  const data = bytes ?? (await readSource(source));
  const clean = source.split(/[?#]/)[0]!.toLowerCase();
  if (clean.endsWith('.weights.h5')) {
    await readKerasWeights(model, data, { filename: source });
  } else if (clean.endsWith('.h5') || clean.endsWith('.hdf5')) {
    await readLegacyWeights(model, data, { filename: source });
  } else {
    throw new IoError(source, 'cannot load weights from it: expected a Keras weights file ending in .weights.h5, .h5 or .hdf5.');
  }
}

async function readSource(source: string): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) {
    const name = source.split(/[?#]/)[0]!.split('/').pop() || source;
    return download(name, source, null, isNode());
  }
  const fs = await import('node:fs/promises');
  try {
    return new Uint8Array(await fs.readFile(source));
  } catch (e) {
    throw new IoError(source, `could not read the weights file: ${(e as Error).message}`, { cause: e });
  }
}
