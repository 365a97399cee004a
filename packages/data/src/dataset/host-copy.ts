// Host copies of dataset elements, for `cache()`: the cache keeps plain JS data rather than
// tensors, so a cached dataset holds no tensor between passes (a full pass leaves `numTensors`
// where it was) and each pass hands out fresh tensors its reader owns. The same form is written
// to disk by `cache(filename)`.
import { type DataType, RuntimeError, ValueError, isTensor, tensor } from '@strata/core';
import { isDict, mapLeaves } from './structure';

/** A tensor's contents on the host. */
export class HostTensor {
  constructor(
    readonly shape: number[],
    readonly dtype: DataType,
    readonly values: Float32Array | Int32Array | Uint8Array | string[],
  ) {}
}

/** Copies the tensors of an element to the host (the element itself is left alone). */
export async function toHost(x: unknown): Promise<unknown> {
  const pending: Promise<void>[] = [];
  const copy = mapLeaves(x, (leaf) => {
    if (!isTensor(leaf)) return leaf;
    const host = new HostTensor([...leaf.shape], leaf.dtype, new Float32Array(0));
    pending.push(
      (async () => {
        const data = await leaf.data();
        const values =
          leaf.dtype === 'string'
            ? (data as unknown as Uint8Array[]).map((b) => (typeof b === 'string' ? b : new TextDecoder().decode(b)))
            : (data as Float32Array | Int32Array | Uint8Array).slice();
        (host as { values: HostTensor['values'] }).values = values;
      })(),
    );
    return host;
  });
  await Promise.all(pending);
  return copy;
}

/** A new element with a fresh tensor for each host copy (the caller owns them). */
export function fromHost(x: unknown): unknown {
  if (x instanceof HostTensor) return makeTensor(x);
  if (Array.isArray(x)) return x.map(fromHost);
  if (isDict(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromHost(v)]));
  return x;
}

function makeTensor(h: HostTensor) {
  return tensor(h.values as never, h.shape, h.dtype);
}

// On disk: one JSON document per line. Tensors become {"$tensor": {shape, dtype, data}} with the
// bytes of their values in base64 (strings as a JSON array); plain objects that happen to have a
// `$tensor` key are escaped as {"$dict": {...}}.

/** One element as a line of the cache file. */
export function encodeElement(x: unknown): string {
  return JSON.stringify(encode(x));
}

function encode(x: unknown): unknown {
  if (x instanceof HostTensor) {
    const data =
      x.dtype === 'string'
        ? x.values
        : bytesToBase64(new Uint8Array((x.values as Float32Array).buffer, (x.values as Float32Array).byteOffset, (x.values as Float32Array).byteLength));
    return { $tensor: { shape: x.shape, dtype: x.dtype, data } };
  }
  if (Array.isArray(x)) return x.map(encode);
  if (isDict(x)) {
    const out = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encode(v)]));
    return '$tensor' in x || '$dict' in x ? { $dict: out } : out;
  }
  if (x === undefined) return { $undefined: true };
  if (typeof x === 'number' && !Number.isFinite(x)) return { $number: String(x) };
  if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || x === null) return x;
  throw new ValueError(`Dataset.cache: cannot write a ${typeof x} to a cache file; elements must hold tensors, numbers, booleans and strings.`);
}

/** The element a cache-file line holds, with host copies for its tensors. */
export function decodeElement(line: string, file: string): unknown {
  try {
    return decode(JSON.parse(line));
  } catch (e) {
    throw new RuntimeError(`Dataset.cache: the cache file ${file} is corrupt (${(e as Error).message}); delete it to rebuild the cache.`);
  }
}

function decode(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decode);
  if (x != null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if ('$tensor' in o) {
      const t = o.$tensor as { shape: number[]; dtype: DataType; data: string | string[] };
      if (t.dtype === 'string') return new HostTensor(t.shape, t.dtype, t.data as string[]);
      const bytes = base64ToBytes(t.data as string);
      const values = t.dtype === 'int32' ? new Int32Array(bytes.buffer) : t.dtype === 'bool' ? bytes : new Float32Array(bytes.buffer);
      return new HostTensor(t.shape, t.dtype, values);
    }
    if ('$dict' in o) return Object.fromEntries(Object.entries(o.$dict as Record<string, unknown>).map(([k, v]) => [k, decode(v)]));
    if ('$undefined' in o) return undefined;
    if ('$number' in o) return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(v)]));
  }
  return x;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function bytesToBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < b.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < b.length ? B64[n & 63]! : '=';
  }
  return out;
}

function base64ToBytes(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let k = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const c = [0, 1, 2, 3].map((j) => (i + j < clean.length ? B64.indexOf(clean[i + j]!) : 0));
    if (c.some((v) => v < 0)) throw new Error('bad base64 data');
    const n = (c[0]! << 18) | (c[1]! << 12) | (c[2]! << 6) | c[3]!;
    if (k < out.length) out[k++] = (n >> 16) & 255;
    if (k < out.length) out[k++] = (n >> 8) & 255;
    if (k < out.length) out[k++] = n & 255;
  }
  return out;
}

/** What `cache(filename)` needs of `node:fs/promises`. */
export interface CacheFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  appendFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  access(path: string): Promise<void>;
}

let fsModule: Promise<CacheFileSystem> | null = null;

/** `node:fs/promises`, loaded on first use so that browser bundles do not pull it in. */
export function cacheFileSystem(): Promise<CacheFileSystem> {
  if (fsModule == null) {
    fsModule = import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises').then(
      (m) => m as unknown as CacheFileSystem,
      (e: unknown) => {
        fsModule = null;
        throw new RuntimeError(
          `Dataset.cache(filename): caching to a file needs a file system (\`node:fs/promises\`), which this runtime does not provide (${e instanceof Error ? e.message : String(e)}); use cache() to cache in memory.`,
        );
      },
    );
  }
  return fsModule;
}
