import { ValueError } from '@strata/core';
import type { Group as WasmGroup } from 'h5wasm';
import { FormatError, IoError } from '../errors';
import { type RawAttrValue, type RawDataset, h5Attr, h5AttrNames, h5IsReject, h5Keys, h5LinkKind, h5ReadDataset } from './h5-ops';
import { WorkerFile, h5Worker } from './h5-worker';
import {
  activeFS,
  h5wasmBroken,
  h5wasmGeneration,
  h5wasmPoisoned,
  heapBudgetBytes,
  heapBudgetFor,
  isNode,
  loadH5wasm,
  recoverH5wasm,
  removeScratch,
  scratchPath,
  setHeapBudget,
} from './h5wasm';

type H5wasmModule = Awaited<ReturnType<typeof loadH5wasm>>;

/** Element types of the datasets this wrapper reads and writes. */
export type H5Dtype =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64';

/**
 * Values of a dataset. float16/bfloat16 come as raw `Uint16Array` bits; 64-bit integers as
 * `BigInt64Array`/`BigUint64Array`.
 */
export type H5Data =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** A dataset read into memory: row-major data, its shape (`[]` for a scalar) and element type. */
export interface H5Array {
  data: H5Data;
  shape: number[];
  dtype: H5Dtype;
}

/** What an attribute reads as: strings (scalar or 1-D), or numbers (1-D, also for empty arrays). */
export type H5AttrValue = string | string[] | number | number[] | bigint | bigint[];

/** Options of string attributes. */
export interface H5StringOptions {
  /** Fixed-length (NUL-padded) strings sized to the longest value, as h5py 2 wrote; default variable length. */
  fixedLength?: boolean;
}

/** The subset of h5wasm's dtype codes a dataset can be written with. */
const WRITE_DTYPES: Partial<Record<H5Dtype, string>> = {
  float32: '<f',
  float64: '<d',
  int8: '<b',
  int16: '<h',
  int32: '<i',
  int64: '<q',
  uint8: '<B',
  uint16: '<H',
  uint32: '<I',
  uint64: '<Q',
};

/** Keras' `HDF5_OBJECT_HEADER_LIMIT`: attribute arrays above it are split into `name0`, `name1`, ... */
export const HDF5_OBJECT_HEADER_LIMIT = 64512;

/** The read side of an open file: in this thread (h5wasm directly) or in the Node worker. */
interface H5Reader {
  keys(path: string): string[];
  linkKind(full: string): 'group' | 'dataset' | null;
  attrNames(path: string): string[];
  attr(path: string, name: string): { value: RawAttrValue } | null;
  readDataset(full: string): RawDataset;
}

interface FileContext {
  file: string;
  /** Size of the bytes the file was opened from (0 while writing). */
  byteLength: number;
  writable: boolean;
  reader: H5Reader;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Absolute path of relative path `name` under `parent`, without empty segments (as h5wasm normalises it). */
function resolvePath(parent: string, name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '')
    .reduce(joinPath, parent);
}

/** Reads through h5wasm on this thread (browsers; and files being written). */
function inThreadReader(mod: H5wasmModule, root: WasmGroup, byteLength: number): H5Reader {
  return {
    keys: (path) => h5Keys(root, path),
    linkKind: (full) => h5LinkKind(mod, root, full),
    attrNames: (path) => h5AttrNames(root, path),
    attr: (path, name) => h5Attr(root, path, name),
    readDataset: (full) =>
      h5ReadDataset(mod, root, full, byteLength, (n) => {
        // The heap may grow by what this read needs (the result buffer, and as much again for
        // libhdf5's conversion/filter buffers), on top of the file's allowance.
        const budget = heapBudgetBytes();
        setHeapBudget(heapBudgetFor(readAllowance(byteLength) + 2 * n));
        return () => setHeapBudget(budget);
      }),
  };
}

/**
 * A group of an open HDF5 file. Reading refuses soft and external links (as Keras'
 * `safe_get_h5_group`/`safe_get_h5_dataset` do) and datasets that declare more bytes than the
 * file could hold. Every failure is a `FormatError` naming the file and the object path.
 */
export class H5Group {
  /** @internal */
  constructor(
    private readonly ctx: FileContext,
    private readonly groupPath: string,
    /** The h5wasm group, for writing (null for files read in the worker). */
    private readonly group: WasmGroup | null,
  ) {}

  /** Absolute path of the group (`/` for the root). */
  get path(): string {
    return this.groupPath;
  }

  /** File name used in error messages. */
  get file(): string {
    return this.ctx.file;
  }

  /** Runs a read, turning what the reader says is wrong with the file into a FormatError. */
  private read<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (h5IsReject(e)) throw this.error(e.message, (e as { cause?: unknown }).cause);
      throw e;
    }
  }

  /** Member names, in HDF5's (alphabetical) link order. */
  keys(): string[] {
    return this.read(() => this.ctx.reader.keys(this.path));
  }

  /** What `name` (a relative path, `/`-separated) is: 'group', 'dataset', or null when absent. */
  kind(name: string): 'group' | 'dataset' | null {
    let current = this.path;
    const parts = name.split('/').filter((p) => p !== '');
    for (let i = 0; i < parts.length; i++) {
      const full = joinPath(current, parts[i]!);
      const type = this.read(() => this.ctx.reader.linkKind(full));
      if (type == null) return null;
      if (i < parts.length - 1 && type !== 'group') return null;
      if (i === parts.length - 1) return type;
      current = full;
    }
    return 'group';
  }

  /** The subgroup at relative path `name`, or null when there is none. */
  getGroup(name: string): H5Group | null {
    const kind = this.kind(name);
    if (kind == null) return null;
    if (kind !== 'group') throw this.error(`${joinPath(this.path, name)} is a dataset, expected a group`);
    return new H5Group(this.ctx, resolvePath(this.path, name), this.group == null ? null : (this.group.get(name) as WasmGroup));
  }

  /** The subgroup at relative path `name`; throws a FormatError when absent. */
  requireGroup(name: string): H5Group {
    const g = this.getGroup(name);
    if (g == null) throw this.error(`missing group ${joinPath(this.path, name)}`);
    return g;
  }

  /** Reads the dataset at relative path `name` (null when absent). */
  readDataset(name: string): H5Array | null {
    const kind = this.kind(name);
    if (kind == null) return null;
    const full = joinPath(this.path, name);
    if (kind !== 'dataset') throw this.error(`${full} is a group, expected a dataset`);
    const raw = this.read(() => this.ctx.reader.readDataset(resolvePath(this.path, name)));
    if (raw.swap > 1) swapBytes(raw.bytes, raw.swap);
    const dtype = raw.dtype as H5Dtype;
    return { data: typedView(raw.bytes, dtype), shape: raw.shape, dtype };
  }

  /** Attribute names of this group. */
  attrNames(): string[] {
    return this.read(() => this.ctx.reader.attrNames(this.path));
  }

  /**
   * The attribute `name` (null when absent): strings for string attributes (fixed or variable
   * length, ASCII or UTF-8; a scalar gives a string, an array a list), numbers otherwise.
   */
  attr(name: string): H5AttrValue | null {
    return this.read(() => this.ctx.reader.attr(this.path, name))?.value ?? null;
  }

  /** A string attribute, or null when absent; throws when it is not a string. */
  stringAttr(name: string): string | null {
    const v = this.attr(name);
    if (v == null) return null;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    throw this.error(`attribute ${name} of ${this.path} is not a string`);
  }

  /**
   * A list-of-strings attribute, or null when absent. An empty numeric array counts as an empty
   * list (Keras writes `weight_names = []` as an empty float64 array).
   */
  stringListAttr(name: string): string[] | null {
    const v = this.attr(name);
    if (v == null) return null;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.length === 0) return [];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    throw this.error(`attribute ${name} of ${this.path} is not a list of strings`);
  }

  // ------------------------------------------------------------------ writing

  private requireWritable(): void {
    if (!this.ctx.writable || this.group == null) throw new ValueError(`${this.ctx.file}: the HDF5 file is open for reading only.`);
  }

  /** The h5wasm group to write to (only files made by `writeH5` have one). */
  private writable(): WasmGroup {
    this.requireWritable();
    return this.group!;
  }

  /** Creates the subgroup `name` (intermediate groups of a `/`-separated path too) and returns it. */
  createGroup(name: string): H5Group {
    this.requireWritable();
    let g: H5Group = this;
    for (const part of name.split('/').filter((p) => p !== '')) {
      const existing = g.kind(part);
      if (existing === 'dataset') throw new ValueError(`${this.ctx.file}: ${joinPath(g.path, part)} is a dataset, cannot create a group there.`);
      g = existing === 'group' ? g.requireGroup(part) : new H5Group(this.ctx, joinPath(g.path, part), g.writable().create_group(part));
    }
    return g;
  }

  /** Sets a string attribute (variable-length UTF-8 by default). */
  setStringAttr(name: string, value: string, opts: H5StringOptions = {}): void {
    this.requireWritable();
    if (this.writable().attrs[name] != null) this.writable().delete_attribute(name);
    if (opts.fixedLength) {
      const size = Math.max(1, new TextEncoder().encode(value).length);
      this.writable().create_attribute(name, value, [], `S${size}`);
    } else {
      this.writable().create_attribute(name, value);
    }
  }

  /**
   * Sets a 1-D string-array attribute (variable-length UTF-8 by default). An empty list is
   * written as an empty float64 array, as h5py does for `np.asarray([])`.
   */
  setStringListAttr(name: string, values: readonly string[], opts: H5StringOptions = {}): void {
    this.requireWritable();
    if (this.writable().attrs[name] != null) this.writable().delete_attribute(name);
    if (values.length === 0) {
      this.writable().create_attribute(name, new Float64Array(0), [0], '<d');
    } else if (opts.fixedLength) {
      const enc = new TextEncoder();
      const size = Math.max(1, ...values.map((v) => enc.encode(v).length));
      this.writable().create_attribute(name, [...values], [values.length], `S${size}`);
    } else {
      this.writable().create_attribute(name, [...values], [values.length]);
    }
  }

  /** Removes the attribute `name` if present. */
  deleteAttr(name: string): void {
    this.requireWritable();
    if (this.writable().attrs[name] != null) this.writable().delete_attribute(name);
  }

  /** Sets a 1-D float64 attribute. */
  setNumberListAttr(name: string, values: readonly number[]): void {
    this.requireWritable();
    if (this.writable().attrs[name] != null) this.writable().delete_attribute(name);
    this.writable().create_attribute(name, Float64Array.from(values), [values.length], '<d');
  }

  /**
   * Writes a contiguous little-endian dataset. float32/float64/int8..int64/uint8..uint64 are
   * supported; 64-bit integers take a `BigInt64Array`/`BigUint64Array` (or numbers, converted).
   */
  writeDataset(name: string, data: H5Data | readonly number[], shape: readonly number[], dtype: H5Dtype): void {
    this.requireWritable();
    const code = WRITE_DTYPES[dtype];
    if (code == null) {
      // libhdf5-wasm (h5wasm 0.10.3) has no 16-bit float type to create datasets with.
      throw new ValueError(`${this.ctx.file}: writing ${dtype} datasets is not supported (h5wasm 0.10.3 cannot create 16-bit float types); cast to float32 first.`);
    }
    const n = elementCount(shape);
    if (data.length !== n) {
      throw new ValueError(`${this.ctx.file}: dataset ${joinPath(this.path, name)} has ${data.length} values for shape [${shape.join(', ')}].`);
    }
    let values: H5Data | number[] = data as H5Data;
    if ((dtype === 'int64' || dtype === 'uint64') && !(data instanceof BigInt64Array || data instanceof BigUint64Array)) {
      const big = Array.from(data as ArrayLike<number>, (v) => BigInt(Math.trunc(Number(v))));
      values = dtype === 'int64' ? BigInt64Array.from(big) : BigUint64Array.from(big);
    } else if (Array.isArray(data)) {
      values = [...data];
    }
    const slash = name.lastIndexOf('/');
    const parent = slash >= 0 ? this.createGroup(name.slice(0, slash)) : this;
    parent.writable().create_dataset({ name: name.slice(slash + 1), data: values as never, shape: [...shape], dtype: code });
  }

  /** @internal */
  error(reason: string, cause?: unknown): FormatError {
    return new FormatError(this.ctx.file, reason, cause === undefined ? undefined : { cause });
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

function typedView(bytes: Uint8Array, dtype: H5Dtype): H5Data {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'float16':
    case 'bfloat16':
    case 'uint16':
      return new Uint16Array(buf);
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'int16':
      return new Int16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'uint8':
      return new Uint8Array(buf);
    case 'uint32':
      return new Uint32Array(buf);
    case 'uint64':
      return new BigUint64Array(buf);
  }
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` has the HDF5 signature at offset 0, 512, 1024, ... (a user block may precede it). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

/** Heap growth a read of an `n`-byte file may cause beyond the base allowance (metadata, caches). */
function readAllowance(n: number): number {
  return 4 * n;
}

/** Reads an unsigned little-endian integer of `size` bytes (null when it does not fit a double exactly, or is "undefined": all ones). */
function readAddress(bytes: Uint8Array, at: number, size: number): number | null {
  if (size > 8) return null;
  let value = 0n;
  let allOnes = true;
  for (let i = size - 1; i >= 0; i--) {
    const b = bytes[at + i]!;
    if (b !== 0xff) allOnes = false;
    value = (value << 8n) | BigInt(b);
  }
  if (allOnes || value > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(value);
}

/**
 * Cheap checks of the superblock before libhdf5 sees the bytes (HDF5 File Format Specification,
 * section II.A): a known superblock version, valid sizes of offsets and lengths, and a stored
 * end-of-file address the bytes reach (a shorter file is truncated; libhdf5 would refuse it too,
 * but only after parsing more of it).
 */
function checkSuperblock(bytes: Uint8Array, file: string): void {
  let base = -1;
  for (let offset = 0; offset + SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) {
      base = offset;
      break;
    }
  }
  if (base < 0) throw new FormatError(file, `not an HDF5 file (no HDF5 signature in ${bytes.length} bytes)`);
  const truncated = (need: number) =>
    new FormatError(file, `truncated HDF5 file: the superblock at byte ${base} needs ${need} bytes but the file has ${bytes.length}`);
  if (bytes.length < base + 9) throw truncated(base + 9);
  const version = bytes[base + 8]!;
  let sizeOfOffsets: number;
  let sizeOfLengths: number;
  let addressesAt: number;
  if (version === 0 || version === 1) {
    if (bytes.length < base + 16) throw truncated(base + 16);
    sizeOfOffsets = bytes[base + 13]!;
    sizeOfLengths = bytes[base + 14]!;
    addressesAt = base + (version === 0 ? 24 : 28);
  } else if (version === 2 || version === 3) {
    if (bytes.length < base + 12) throw truncated(base + 12);
    sizeOfOffsets = bytes[base + 9]!;
    sizeOfLengths = bytes[base + 10]!;
    addressesAt = base + 12;
  } else {
    throw new FormatError(file, `unsupported HDF5 superblock version ${version} (expected 0 to 3)`);
  }
  for (const [what, size] of [
    ['offsets', sizeOfOffsets],
    ['lengths', sizeOfLengths],
  ] as const) {
    if (![2, 4, 8, 16, 32].includes(size)) throw new FormatError(file, `corrupt HDF5 superblock: size of ${what} is ${size} (expected 2, 4, 8, 16 or 32)`);
  }
  // Base address, then (v0/1) free-space address or (v2/3) superblock-extension address, then
  // the end-of-file address.
  const eofAt = addressesAt + 2 * sizeOfOffsets;
  if (bytes.length < eofAt + sizeOfOffsets) throw truncated(eofAt + sizeOfOffsets);
  const baseAddress = readAddress(bytes, addressesAt, sizeOfOffsets);
  const eof = readAddress(bytes, eofAt, sizeOfOffsets);
  if (baseAddress != null && eof != null && baseAddress + eof > bytes.length) {
    throw new FormatError(file, `truncated HDF5 file: the superblock says it ends at byte ${baseAddress + eof} but it has ${bytes.length} bytes`);
  }
}

/** The message for a crash of libhdf5 itself (abort or trap) on `file`. */
function crashReason(e: unknown): string {
  return `the HDF5 library rejected the file: it crashed while parsing it (${e instanceof Error ? e.message : String(e)}); the file is corrupt`;
}

/**
 * Opens `bytes` as an HDF5 file and runs `fn` on its root group. The bytes are placed in h5wasm's
 * FS for the call only: the file is closed and removed afterwards, whatever happens. Errors that
 * come from libhdf5 become `FormatError`s naming `filename` (default `'<memory>'`); if libhdf5
 * crashes (aborts or traps) on a corrupt file, its instance is replaced by a fresh one.
 */
export async function readH5<T>(bytes: Uint8Array, filename: string | undefined, fn: (root: H5Group) => T | Promise<T>): Promise<T> {
  const file = filename ?? '<memory>';
  if (!(bytes instanceof Uint8Array)) throw new FormatError(file, 'expected the bytes of an HDF5 file (a Uint8Array)');
  if (!isHdf5(bytes)) throw new FormatError(file, `not an HDF5 file (no HDF5 signature in ${bytes.length} bytes)`);
  checkSuperblock(bytes, file);
  if (isNode) {
    let worker: Awaited<ReturnType<typeof h5Worker>>;
    try {
      worker = await h5Worker();
    } catch (e) {
      throw new IoError(file, `cannot read HDF5 files: ${(e as Error).message}`, { cause: e });
    }
    if (worker != null) return readInWorker(worker, bytes, file, fn);
  }
  return readInThread(bytes, file, fn);
}

/**
 * Node: the file is parsed in the worker (src/h5/h5-worker.ts), which is terminated when libhdf5
 * loops on a corrupt file; `fn` runs here on groups whose reads are requests to the worker.
 */
async function readInWorker<T>(
  worker: NonNullable<Awaited<ReturnType<typeof h5Worker>>>,
  bytes: Uint8Array,
  file: string,
  fn: (root: H5Group) => T | Promise<T>,
): Promise<T> {
  const { writeFileSync, rmSync } = await import('node:fs');
  const path = await scratchPath();
  const remote = new WorkerFile(worker, file, bytes.length);
  try {
    writeFileSync(path, bytes);
    remote.open(path);
    const root = new H5Group({ file, byteLength: bytes.length, writable: false, reader: remote }, '/', null);
    let result: T;
    try {
      result = await fn(root);
    } catch (e) {
      // A time-out or crash is the real story even if `fn` wrapped or replaced that error.
      if (remote.failed != null) throw remote.failed;
      if (e instanceof IoError || e instanceof ValueError) throw e;
      throw new FormatError(file, `corrupt HDF5 file (${(e as Error).message})`, { cause: e });
    }
    if (remote.failed != null) throw remote.failed;
    return result;
  } catch (e) {
    if (h5IsReject(e)) throw new FormatError(file, e.message, { cause: e });
    if (e instanceof IoError || e instanceof ValueError) throw e;
    throw new FormatError(file, `corrupt HDF5 file (${(e as Error).message})`, { cause: e });
  } finally {
    remote.close();
    rmSync(path, { force: true });
  }
}

/**
 * Browsers (and Node without worker threads): libhdf5 runs on this thread, with the heap cap and
 * crash recovery of h5wasm.ts but no time limit: moving this to a Web Worker is not done yet, so a
 * corrupt file that makes libhdf5 loop still hangs a page.
 */
async function readInThread<T>(bytes: Uint8Array, file: string, fn: (root: H5Group) => T | Promise<T>): Promise<T> {
  const mod = await loadH5wasm();
  const broken = h5wasmBroken();
  if (broken != null) throw new IoError(file, broken);
  const generation = h5wasmGeneration();
  const budget = heapBudgetBytes();
  setHeapBudget(heapBudgetFor(readAllowance(bytes.length)));
  const path = await scratchPath();
  let h5: import('h5wasm').File | null = null;
  let crash: unknown = null;
  try {
    activeFS().writeFile(path, bytes);
    try {
      h5 = new mod.File(path, 'r');
    } catch (e) {
      if (h5wasmPoisoned(e)) crash = e;
      throw new FormatError(file, crash != null ? crashReason(e) : `cannot open the HDF5 file (${(e as Error).message})`, { cause: e });
    }
    if (h5.file_id < 0n) throw new FormatError(file, 'cannot open the HDF5 file: corrupt or truncated');
    const root = new H5Group({ file, byteLength: bytes.length, writable: false, reader: inThreadReader(mod, h5, bytes.length) }, '/', h5);
    let result: T;
    try {
      result = await fn(root);
    } catch (e) {
      if (crash == null && h5wasmPoisoned(e)) crash = e;
      if (crash != null) throw new FormatError(file, crashReason(e), { cause: e });
      if (e instanceof IoError || e instanceof ValueError) throw e;
      throw new FormatError(file, `corrupt HDF5 file (${(e as Error).message})`, { cause: e });
    }
    // An abort swallowed on the way (or a heap the allocator no longer trusts) makes the result suspect.
    if (h5wasmPoisoned()) {
      crash = new Error('libhdf5 aborted');
      throw new FormatError(file, crashReason(crash));
    }
    if (h5wasmGeneration() !== generation) {
      throw new IoError(file, 'the HDF5 library was restarted while this file was open (it crashed on another file); try again');
    }
    return result;
  } finally {
    setHeapBudget(budget);
    if (crash == null && h5 != null && h5.file_id >= 0n && h5wasmGeneration() === generation) {
      try {
        h5.close();
      } catch (e) {
        if (h5wasmPoisoned(e)) crash = e;
      }
    }
    await removeScratch(path);
    if (crash != null) await recoverH5wasm(crash instanceof Error ? crash.message : String(crash));
  }
}

/**
 * Creates an HDF5 file, lets `fn` fill its root group, and returns the file's bytes. The scratch
 * file in h5wasm's FS is always removed.
 */
export async function writeH5(fn: (root: H5Group) => void | Promise<void>, filename?: string): Promise<Uint8Array> {
  const file = filename ?? '<memory>';
  const mod = await loadH5wasm();
  const broken = h5wasmBroken();
  if (broken != null) throw new IoError(file, broken);
  const generation = h5wasmGeneration();
  const path = await scratchPath();
  let h5: import('h5wasm').File | null = null;
  let crash: unknown = null;
  const budget = heapBudgetBytes();
  // Our own data: the heap may grow as far as wasm allows.
  setHeapBudget(2 ** 31);
  try {
    // h5py's default bounds (earliest, latest): superblock v0, so older readers (h5py 2 / HDF5 1.8) open the file.
    h5 = new mod.File(path, 'w', { libver: ['earliest', 'latest'] });
    if (h5.file_id < 0n) throw new IoError(file, 'cannot create an HDF5 file');
    await fn(new H5Group({ file, byteLength: 0, writable: true, reader: inThreadReader(mod, h5, 0) }, '/', h5));
    if (h5wasmGeneration() !== generation) {
      throw new IoError(file, 'the HDF5 library was restarted while this file was open (it crashed on another file); try again');
    }
    h5.flush();
    h5.close();
    h5 = null;
    return new Uint8Array(activeFS().readFile(path));
  } catch (e) {
    if (h5wasmPoisoned(e)) {
      crash = e;
      throw new IoError(file, `the HDF5 library crashed while writing (${(e as Error).message})`, { cause: e });
    }
    throw e;
  } finally {
    setHeapBudget(budget);
    if (crash == null && h5 != null && h5wasmGeneration() === generation) {
      try {
        h5.close();
      } catch {
        // Already failing; the original error is what matters.
      }
    }
    await removeScratch(path);
    if (crash != null) await recoverH5wasm(crash instanceof Error ? crash.message : String(crash));
  }
}
