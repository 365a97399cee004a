/**
 * Loads h5wasm (the WebAssembly build of libhdf5) and keeps it usable after corrupt files.
 *
 * h5wasm is ESM-only, so it is imported dynamically: a top-level import would stop the CJS build
 * of this package from loading.
 *
 * Why the extra machinery: libhdf5 is not memory-safe on hostile input. Some corrupt files make it
 * write outside its buffers and then call `abort()` (Emscripten throws a `WebAssembly.RuntimeError`
 * "Aborted(native code called abort())" and sets its ABORT flag) or trap (out-of-bounds access).
 * The C stack pointer is not unwound and the malloc heap may be corrupt, so later calls into the
 * same instance can crash again or loop inside the allocator forever. Other corrupt files make
 * libhdf5 allocate without bound (a cyclic B-tree grows the wasm heap to its 2 GiB maximum, taking
 * a minute). So:
 * - every instance's heap growth goes through a budget (`setHeapBudget`): a request above it fails
 *   like an out-of-memory `malloc`, which libhdf5 reports as an ordinary error;
 * - after an abort or trap the instance is discarded (`recoverH5wasm`) and a fresh one is created
 *   from the same Emscripten factory (MODULARIZE: each call is a new, independent instance). The
 *   high-level h5wasm classes look up everything on their `Module` object at call time, so that
 *   object is emptied and made to forward to the current instance.
 */

import { h5IsWasmCrash } from './h5-ops';

type H5wasmModule = typeof import('h5wasm');
type EmModule = H5wasmModule['Module'];
/** The Emscripten factory (MODULARIZE) behind h5wasm: each call makes a new libhdf5 instance. */
type Factory = (moduleArg: Record<string, unknown>) => Promise<EmModule>;

/** True under Node.js, where h5wasm's FS is the real file system (NODERAWFS). */
export const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/** Heap the library may always grow to: libhdf5's caches plus the small files Keras writes. */
export const BASE_HEAP_BUDGET = 64 * 2 ** 20;

interface Runtime {
  mod: H5wasmModule;
  /** Null where the factory cannot be reached (bundled browser builds): an abort then disables HDF5. */
  factory: Factory | null;
  /** The compiled wasm, captured at the first instantiation so fresh instances skip compiling. */
  compiled: WebAssembly.Module | null;
  /** The instance the h5wasm classes currently use. */
  active: EmModule;
  /** Set by Emscripten's `onAbort` hook of the active instance. */
  aborted: boolean;
  /** Why HDF5 is unusable (an abort with no way to make a fresh instance), else null. */
  broken: string | null;
  /** Bumped each time the instance is replaced: handles opened before are dead. */
  generation: number;
  /** URL of h5wasm's Node entry (`h5wasm/node`), for the worker that parses files (Node only). */
  entryUrl: string | null;
}

let loading: Promise<Runtime> | null = null;
let runtime: Runtime | null = null;
/** Largest heap (bytes) the active instance may grow to right now; see `setHeapBudget`. */
let heapBudget = BASE_HEAP_BUDGET;

/**
 * Wraps the heap-growth import of an h5wasm instance so that growth above `heapBudget` fails
 * (Emscripten's `sbrk` then returns -1 and `malloc` NULL) instead of growing towards 2 GiB.
 */
function limitHeapGrowth(imports: WebAssembly.Imports): void {
  const env = imports.env as Record<string, unknown> | undefined;
  const resize = env?.emscripten_resize_heap as ((requested: number) => number | boolean) | undefined;
  if (env == null || typeof resize !== 'function') return;
  env.emscripten_resize_heap = (requested: number) => ((requested >>> 0) > heapBudget ? 0 : resize(requested));
}

function isH5wasmBinary(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name === 'H5Fopen');
}

/**
 * Runs `load` (which instantiates h5wasm with Emscripten's default loader) while
 * `WebAssembly.instantiate` is wrapped to compile h5wasm's binary once, keep the compiled module and
 * put the heap budget on the instance. Other wasm instantiated meanwhile passes through untouched.
 */
async function captureInstantiation<T>(load: () => Promise<T>): Promise<{ value: T; compiled: WebAssembly.Module | null }> {
  const original = WebAssembly.instantiate;
  let compiled: WebAssembly.Module | null = null;
  const wrapped = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module || imports == null) return original(source as BufferSource, imports);
    const module = await WebAssembly.compile(source);
    if (!isH5wasmBinary(module)) return { module, instance: await original(module, imports) };
    compiled = module;
    limitHeapGrowth(imports);
    return { module, instance: await original(module, imports) };
  };
  WebAssembly.instantiate = wrapped as typeof WebAssembly.instantiate;
  try {
    return { value: await load(), compiled };
  } finally {
    if (WebAssembly.instantiate === (wrapped as unknown)) WebAssembly.instantiate = original;
  }
}

/**
 * Where the Emscripten factory lives. h5wasm's package exports only its high-level module, so in
 * Node the file is found beside it: the URL comes from the stack of an error thrown inside it.
 */
function distUrl(mod: H5wasmModule): string | null {
  if (!isNode) return null;
  let stack = '';
  try {
    mod.convertToLibverString(Number.NaN);
  } catch (e) {
    stack = String((e as Error).stack ?? '');
  }
  const match = /(file:\/\/[^\s()]*?)\/hdf5_hl\.js/.exec(stack);
  return match == null ? null : match[1]!;
}

async function findFactory(mod: H5wasmModule): Promise<Factory | null> {
  const dir = distUrl(mod);
  if (dir == null) return null;
  try {
    const util = (await import(/* @vite-ignore */ `${dir}/hdf5_util.js`)) as { default?: unknown };
    return typeof util.default === 'function' ? (util.default as Factory) : null;
  } catch {
    return null;
  }
}

/** A new, independent libhdf5 instance (instantiated from the compiled module when there is one). */
async function freshInstance(rt: Runtime): Promise<EmModule> {
  const factory = rt.factory!;
  const self: { instance: EmModule | null } = { instance: null };
  const onAbort = () => {
    if (self.instance != null && rt.active === self.instance) rt.aborted = true;
  };
  if (rt.compiled != null) {
    const compiled = rt.compiled;
    self.instance = await new Promise<EmModule>((resolve, reject) => {
      factory({
        noInitialRun: true,
        onAbort,
        // Instantiating the already compiled module takes milliseconds instead of a recompile.
        instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
          limitHeapGrowth(imports);
          WebAssembly.instantiate(compiled, imports).then((inst) => receive(inst, compiled), reject);
          return {};
        },
      }).then(resolve, reject);
    });
  } else {
    const { value, compiled } = await captureInstantiation(() => factory({ noInitialRun: true, onAbort }));
    rt.compiled = compiled;
    self.instance = value;
  }
  return self.instance;
}

/**
 * Makes h5wasm's `Module` object (which its classes read at call time) forward every property to
 * `rt.active`: its own properties are removed and its prototype becomes a forwarding proxy.
 */
function forwardModule(rt: Runtime): void {
  const target = rt.mod.Module as unknown as Record<PropertyKey, unknown>;
  if (Object.getPrototypeOf(target) instanceof ForwardMarker) return;
  for (const key of Reflect.ownKeys(target)) delete target[key];
  const proxy = new Proxy(new ForwardMarker(), {
    get: (_t, key) => (rt.active as unknown as Record<PropertyKey, unknown>)[key],
    set: (_t, key, value) => {
      (rt.active as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
    has: (_t, key) => key in (rt.active as object),
  });
  Object.setPrototypeOf(target, proxy);
}

/** Prototype class of the forwarding proxy, so a second `forwardModule` call is recognised. */
class ForwardMarker {}

async function initialise(): Promise<Runtime> {
  // The Node build reads/writes real files; the default (browser) build has an in-memory FS.
  const { value: mod, compiled } = await captureInstantiation(async () => {
    const m = (isNode ? await import('h5wasm/node') : await import('h5wasm')) as H5wasmModule;
    await m.ready;
    return m;
  });
  const dir = distUrl(mod);
  const rt: Runtime = { mod, factory: null, compiled, active: mod.Module, aborted: false, broken: null, generation: 0, entryUrl: dir == null ? null : `${dir}/hdf5_hl.js` };
  (mod.Module as unknown as { onAbort?: () => void }).onAbort = () => {
    if (rt.active === mod.Module) rt.aborted = true;
  };
  rt.factory = await findFactory(mod);
  if (compiled == null && rt.factory != null) {
    // h5wasm was instantiated before this module saw it (imported elsewhere first), so its heap
    // has no budget: move to an instance of our own right away.
    rt.active = await freshInstance(rt);
    forwardModule(rt);
    rt.generation++;
  }
  return rt;
}

/** The h5wasm module, initialised (`ready` resolved). */
export function loadH5wasm(): Promise<H5wasmModule> {
  return loadRuntime().then((rt) => rt.mod);
}

async function loadRuntime(): Promise<Runtime> {
  if (loading == null) {
    loading = initialise().then((rt) => {
      runtime = rt;
      return rt;
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** URL of h5wasm's Node entry (`h5wasm/node`'s `hdf5_hl.js`), or null outside Node or where it cannot be found. */
export async function h5wasmEntryUrl(): Promise<string | null> {
  if (!isNode) return null;
  return (await loadRuntime()).entryUrl;
}

/** h5wasm's compiled wasm module where this thread has one (handed to the worker so it skips compiling). */
export function h5wasmCompiled(): WebAssembly.Module | null {
  return runtime?.compiled ?? null;
}

/** The Emscripten FS of the active instance (the real disk in Node, an in-memory FS elsewhere). */
export function activeFS(): NonNullable<H5wasmModule['FS']> {
  return runtime!.active.FS as NonNullable<H5wasmModule['FS']>;
}

/** Generation of the active instance; a change means files opened before are gone. */
export function h5wasmGeneration(): number {
  return runtime?.generation ?? 0;
}

/** Null when HDF5 can be used, else why not (an earlier abort that could not be recovered from). */
export function h5wasmBroken(): string | null {
  return runtime?.broken ?? null;
}

/** Sets the largest heap (bytes) the active instance may grow to; capped at wasm32's 2 GiB. */
export function setHeapBudget(bytes: number): void {
  heapBudget = Math.min(2 ** 31, Math.max(BASE_HEAP_BUDGET, Math.ceil(bytes)));
}

/** A heap budget of the library's base allowance plus `extraBytes` (data the caller expects to handle). */
export function heapBudgetFor(extraBytes: number): number {
  return BASE_HEAP_BUDGET + Math.max(0, extraBytes);
}

/** Current heap budget in bytes. */
export function heapBudgetBytes(): number {
  return heapBudget;
}

/** Whether `e` (or an error it wraps) is a wasm abort or trap. */
export const isWasmCrash = h5IsWasmCrash;

/**
 * Whether the active instance must be discarded: it aborted (Emscripten's onAbort fired) or `e`
 * is a wasm crash, or a probe allocation fails (the malloc heap is corrupt).
 */
export function h5wasmPoisoned(e?: unknown): boolean {
  const rt = runtime;
  if (rt == null) return false;
  if (rt.aborted || (e !== undefined && isWasmCrash(e))) return true;
  try {
    const ptr = rt.active._malloc(64);
    if (ptr !== 0) rt.active._free(ptr);
    return rt.aborted;
  } catch {
    return true;
  }
}

/**
 * Discards the active (crashed) instance and makes a fresh one current. Where no fresh instance
 * can be made (no factory reachable), HDF5 is marked broken and later calls fail with that reason.
 */
export async function recoverH5wasm(reason: string): Promise<void> {
  const rt = await loadRuntime();
  rt.generation++;
  if (rt.factory == null) {
    rt.broken = `the HDF5 library (h5wasm) crashed on an earlier file (${reason}) and cannot be restarted in this environment; reload the page or process`;
    return;
  }
  try {
    rt.active = await freshInstance(rt);
    rt.aborted = false;
    forwardModule(rt);
  } catch (e) {
    rt.broken = `the HDF5 library (h5wasm) crashed on an earlier file (${reason}) and could not be restarted (${(e as Error).message})`;
  }
}

let counter = 0;

/**
 * A fresh path for a scratch file in h5wasm's FS: under the OS temp dir in Node (its FS is the
 * real disk there), at the root of the in-memory FS elsewhere. The caller must unlink it.
 */
export async function scratchPath(): Promise<string> {
  // The process id lets a process tell its own scratch files from other processes' ones.
  const pid = isNode ? `${process.pid}-` : '';
  const name = `strata-h5-${pid}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${counter++}.h5`;
  if (isNode) {
    const [{ tmpdir }, { join }] = await Promise.all([import('node:os'), import('node:path')]);
    return join(tmpdir(), name);
  }
  return `/${name}`;
}

/** Removes a scratch file, whichever instance's FS it was made in; a missing file is fine. */
export async function removeScratch(path: string): Promise<void> {
  try {
    activeFS().unlink(path);
  } catch {
    // Already gone, or it lived in the in-memory FS of a discarded instance (gone with it).
  }
  if (isNode) {
    const { rmSync } = await import('node:fs');
    rmSync(path, { force: true });
  }
}
