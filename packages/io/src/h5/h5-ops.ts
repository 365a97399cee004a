/**
 * The read operations of an HDF5 file open in h5wasm, shared by the in-thread reader (browsers)
 * and the Node worker that parses untrusted files (src/h5/h5-worker.ts).
 *
 * Why the odd shape: the worker runs these very functions from their source text
 * (`Function.prototype.toString`), so that the worker needs no separate build entry and works the
 * same from the TypeScript sources (vitest), the ESM build and the CJS build. So every function
 * here is a plain top-level function declaration that uses only its arguments, JavaScript
 * globals and the other functions listed in `WORKER_FUNCTIONS`: no imports (types only), no
 * module-level constants, no helpers a compiler would have to add.
 */
import type { Dataset, Group } from 'h5wasm';

type H5wasmModule = typeof import('h5wasm');

/** Values of an attribute as the readers hand them back (plain data: it crosses threads). */
export type RawAttrValue = string | string[] | number | number[] | bigint | bigint[];

/** A dataset's bytes as stored, with what is needed to view them. */
export interface RawDataset {
  bytes: Uint8Array;
  shape: number[];
  /** Our dtype name (see `H5Dtype`). */
  dtype: string;
  /** Bytes per element to swap, 0 when the data is little-endian already. */
  swap: number;
}

/**
 * Raises the heap budget for a read of `datasetBytes` bytes and returns the function that puts
 * the budget back.
 */
export type RaiseBudget = (datasetBytes: number) => () => void;

/** An error saying what is wrong with the file; its message becomes the `FormatError`'s reason. */
export function h5Reject(reason: string, cause?: unknown): Error {
  const e = new Error(reason) as Error & { h5Reject?: boolean; cause?: unknown };
  e.h5Reject = true;
  if (cause !== undefined) e.cause = cause;
  return e;
}

/** Whether `e` came from `h5Reject`. */
export function h5IsReject(e: unknown): e is Error {
  return e instanceof Error && (e as { h5Reject?: boolean }).h5Reject === true;
}

/** Whether `e` (or an error it wraps) is a wasm abort or trap. */
export function h5IsWasmCrash(e: unknown): boolean {
  let x: unknown = e;
  for (let depth = 0; x != null && depth < 8; depth++) {
    if (x instanceof WebAssembly.RuntimeError) return true;
    if (x instanceof Error && /\bAborted\(/.test(x.message)) return true;
    x = (x as { cause?: unknown }).cause;
  }
  return false;
}

/** The group object at absolute `path` of the open file `root`. */
export function h5GroupAt(root: Group, path: string): Group {
  return path === '/' ? root : (root.get(path) as Group);
}

/** Member names of the group at `path`, in HDF5's (alphabetical) link order. */
export function h5Keys(root: Group, path: string): string[] {
  return h5GroupAt(root, path).keys();
}

/**
 * What the link at absolute path `full` is: 'group', 'dataset', or null (absent, or another kind
 * of object). Soft and external links are refused, as Keras' `safe_get_h5_group` does: a soft
 * link could alias another object, an external link could read another file.
 */
export function h5LinkKind(mod: H5wasmModule, root: Group, full: string): 'group' | 'dataset' | null {
  const M = mod.Module;
  const type = root.get_type(full);
  if (type === M.H5G_UDLINK) throw h5Reject(`${full} is an external link; external links are refused`);
  if (type === M.H5G_LINK) throw h5Reject(`${full} is a (broken) soft link; soft links are refused`);
  if (type !== M.H5G_GROUP && type !== M.H5G_DATASET) return null;
  if (root.get_link(full) != null) throw h5Reject(`${full} is a soft link; soft links are refused`);
  return type === M.H5G_GROUP ? 'group' : 'dataset';
}

/** Attribute names of the group at `path`. */
export function h5AttrNames(root: Group, path: string): string[] {
  return Object.keys(h5GroupAt(root, path).attrs);
}

/**
 * The attribute `name` of the group at `path` (null when absent): strings for string attributes
 * (a scalar gives a string, an array a list), numbers or bigints otherwise.
 */
export function h5Attr(root: Group, path: string, name: string): { value: RawAttrValue } | null {
  let attr: import('h5wasm').Attribute | undefined;
  try {
    attr = h5GroupAt(root, path).attrs[name];
  } catch (e) {
    throw h5Reject(`cannot read the attributes of ${path} (${(e as Error).message})`, e);
  }
  if (attr == null) return null;
  let value: unknown;
  try {
    value = attr.value;
  } catch (e) {
    throw h5Reject(`cannot read attribute ${name} of ${path} (${(e as Error).message})`, e);
  }
  const scalar = attr.shape == null || attr.shape.length === 0;
  if (typeof value === 'string') return { value };
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return { value: value as string[] };
    if (value.every((v) => typeof v === 'number')) return { value: value as number[] };
    throw h5Reject(`attribute ${name} of ${path} has an unsupported type`);
  }
  if (typeof value === 'number' || typeof value === 'bigint') return { value };
  if (ArrayBuffer.isView(value)) {
    const list = Array.from(value as unknown as ArrayLike<number | bigint>);
    if (scalar && list.length === 1) return { value: list[0]! };
    return { value: list as number[] | bigint[] };
  }
  throw h5Reject(`attribute ${name} of ${path} has an unsupported type`);
}

/**
 * Reads the dataset at absolute path `full` of a file of `byteLength` bytes. A dataset that
 * declares more bytes than the file could hold is refused before anything is allocated (Keras'
 * dataset-size guard; compressed data may expand, so Keras' 1000x ratio is allowed for it).
 */
export function h5ReadDataset(mod: H5wasmModule, root: Group, full: string, byteLength: number, raise: RaiseBudget): RawDataset {
  const M = mod.Module;
  const ds = root.get(full) as Dataset;
  const meta = ds.metadata;
  const shape = (meta.shape ?? []).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = meta.size * count;
  if (meta.type !== 0 && meta.type !== 1) throw h5Reject(`${full}: unsupported dataset type (HDF5 class ${meta.type}); expected numbers`);
  const compressed = (ds.filters ?? []).length > 0;
  const limit = compressed ? byteLength * 1000 : byteLength;
  if (nbytes > limit) {
    throw h5Reject(`${full} declares ${nbytes} bytes (shape [${shape.join(', ')}]), more than the ${byteLength}-byte file can hold`);
  }
  // Keras stores bfloat16 as 16-bit data with attribute dtype="bfloat16".
  const tagAttr = meta.size === 2 ? ds.attrs.dtype : undefined;
  const bfloat16 = tagAttr != null && tagAttr.value === 'bfloat16';
  let dtype: string;
  if (meta.type === 1) {
    if (meta.size === 2) dtype = bfloat16 ? 'bfloat16' : 'float16';
    else if (meta.size === 4) dtype = 'float32';
    else if (meta.size === 8) dtype = 'float64';
    else throw h5Reject(`${full}: unsupported ${meta.size * 8}-bit float`);
  } else if (bfloat16) {
    dtype = 'bfloat16';
  } else {
    const bits = meta.size * 8;
    if (bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) throw h5Reject(`${full}: unsupported ${bits}-bit integer`);
    dtype = `${meta.signed ? 'int' : 'uint'}${bits}`;
  }
  const restore = raise(nbytes);
  let bytes: Uint8Array;
  try {
    const ptr = M._malloc(Math.max(nbytes, 1));
    if (ptr === 0) throw h5Reject(`${full}: cannot allocate ${nbytes} bytes for the data`);
    try {
      M.get_dataset_data(ds.file_id, ds.path, null, null, null, BigInt(ptr));
      bytes = M.HEAPU8.slice(ptr, ptr + nbytes);
    } catch (e) {
      throw h5Reject(`${full}: cannot read the data (${(e as Error).message})`, e);
    } finally {
      M._free(ptr);
    }
  } finally {
    restore();
  }
  return { bytes, shape, dtype, swap: !meta.littleEndian && meta.size > 1 ? meta.size : 0 };
}

// ------------------------------------------------------------------ the worker side

/** What the worker keeps between messages. */
interface WorkerState {
  /** Largest heap (bytes) the library may grow to right now. */
  budget: number;
  /** The heap every file may use (libhdf5's caches and the small files Keras writes). */
  baseBudget: number;
  /** h5wasm's compiled wasm: handed in by the parent (a restart), or captured at the first start. */
  compiled: WebAssembly.Module | null;
  /** Set when Emscripten reports an abort. */
  aborted: boolean;
}

/**
 * Puts the heap budget on the worker's h5wasm instance: its heap-growth import fails (like an
 * out-of-memory `malloc`, which libhdf5 reports as an ordinary error) above `state.budget`,
 * instead of growing towards 2 GiB on a file with a cyclic B-tree. Also reuses an already
 * compiled module (a restarted worker starts in milliseconds) and keeps the one it compiles.
 * Must run before h5wasm is imported; the worker exists for h5wasm only, so the wrap stays.
 */
export function h5WorkerInstallHeapCap(state: WorkerState): void {
  const original = WebAssembly.instantiate;
  const wrapped = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    const env = imports?.env as Record<string, unknown> | undefined;
    const resize = env?.emscripten_resize_heap as ((requested: number) => number | boolean) | undefined;
    if (source instanceof WebAssembly.Module || env == null || typeof resize !== 'function') {
      return original(source as BufferSource, imports);
    }
    env.emscripten_resize_heap = (requested: number) => ((requested >>> 0) > state.budget ? 0 : resize(requested));
    const module = state.compiled ?? (await WebAssembly.compile(source));
    state.compiled = module;
    return { module, instance: await original(module, imports) };
  };
  WebAssembly.instantiate = wrapped as typeof WebAssembly.instantiate;
}

/**
 * Serves read requests on `port` for the parent thread, which waits on `signal` (Atomics) for
 * each reply: the parent can then give up on a request that takes too long (libhdf5 looping on a
 * corrupt file) and terminate this worker. Requests: open a scratch file, close it, and the read
 * ops above on an open file. Replies: `{ ok }`, `{ reject }` (the file is wrong), `{ error }`
 * (anything else), or `{ crash }` (libhdf5 aborted or trapped: this instance is unusable and the
 * parent replaces the worker).
 */
export function h5WorkerServe(
  mod: H5wasmModule,
  state: WorkerState,
  port: import('node:worker_threads').MessagePort,
  signal: Int32Array,
): void {
  (mod.Module as unknown as { onAbort?: () => void }).onAbort = () => {
    state.aborted = true;
  };
  const files = new Map<number, { h5: import('h5wasm').File; byteLength: number }>();
  let nextHandle = 1;
  const poisoned = (e: unknown): boolean => {
    if (state.aborted || (e !== undefined && h5IsWasmCrash(e))) return true;
    try {
      // A corrupt malloc heap shows on the next allocation.
      const ptr = mod.Module._malloc(64);
      if (ptr !== 0) mod.Module._free(ptr);
      return state.aborted;
    } catch {
      return true;
    }
  };
  const budgetFor = (byteLength: number) => state.baseBudget + 4 * byteLength;
  const handle = (msg: Record<string, unknown>): unknown => {
    const op = msg.op as string;
    if (op === 'open') {
      const byteLength = msg.byteLength as number;
      state.budget = budgetFor(byteLength);
      let h5: import('h5wasm').File;
      try {
        h5 = new mod.File(msg.path as string, 'r');
      } catch (e) {
        throw h5Reject(`cannot open the HDF5 file (${(e as Error).message})`, e);
      }
      if (h5.file_id < 0n) throw h5Reject('cannot open the HDF5 file: corrupt or truncated');
      const id = nextHandle++;
      files.set(id, { h5, byteLength });
      return id;
    }
    const open = files.get(msg.handle as number);
    if (open == null) throw new Error(`no open HDF5 file with handle ${String(msg.handle)}`);
    state.budget = budgetFor(open.byteLength);
    const path = msg.path as string;
    switch (op) {
      case 'close':
        files.delete(msg.handle as number);
        open.h5.close();
        return null;
      case 'keys':
        return h5Keys(open.h5, path);
      case 'kind':
        return h5LinkKind(mod, open.h5, path);
      case 'attrNames':
        return h5AttrNames(open.h5, path);
      case 'attr':
        return h5Attr(open.h5, path, msg.name as string);
      case 'dataset':
        return h5ReadDataset(mod, open.h5, path, open.byteLength, (n) => {
          // The heap may grow by what this read needs (the result, and as much again for
          // libhdf5's conversion/filter buffers), on top of the file's allowance.
          const before = state.budget;
          state.budget = budgetFor(open.byteLength) + 2 * n;
          return () => {
            state.budget = before;
          };
        });
      default:
        throw new Error(`unknown request ${op}`);
    }
  };
  port.on('message', (msg: Record<string, unknown>) => {
    let reply: Record<string, unknown>;
    const transfer: ArrayBuffer[] = [];
    try {
      const ok = handle(msg);
      if (state.aborted) reply = { crash: 'libhdf5 aborted' };
      else {
        reply = { ok };
        const bytes = (ok as { bytes?: unknown } | null)?.bytes;
        if (bytes instanceof Uint8Array) transfer.push(bytes.buffer as ArrayBuffer);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (poisoned(e)) {
        let cause: unknown = e;
        while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error) cause = (cause as { cause?: unknown }).cause;
        reply = { crash: cause instanceof Error ? cause.message : message };
      } else if (h5IsReject(e)) reply = { reject: message };
      else reply = { error: message };
    }
    port.postMessage(reply, transfer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}

/** The functions the worker's source is made of (see the module comment). */
export const WORKER_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  h5Reject,
  h5IsReject,
  h5IsWasmCrash,
  h5GroupAt,
  h5Keys,
  h5LinkKind,
  h5AttrNames,
  h5Attr,
  h5ReadDataset,
  h5WorkerInstallHeapCap,
  h5WorkerServe,
];
