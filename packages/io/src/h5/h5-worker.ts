/**
 * Parsing untrusted HDF5 bytes off the calling thread, in Node.
 *
 * Some corrupt files send libhdf5 into a loop that neither allocates nor returns. Wasm running on
 * the calling thread cannot be interrupted, so in Node the file is opened and read in a
 * `worker_threads` Worker, and every read is a request the calling thread waits for with a time
 * limit (Atomics.wait on a shared flag, then `receiveMessageOnPort`: the `H5Group` read methods
 * stay synchronous). A request that runs past the file's time limit gets the worker terminated
 * (V8 interrupts a wasm loop) and becomes a `FormatError`; a crash of libhdf5 (abort or trap)
 * gets it replaced too. One worker is kept for all files, so normal loads pay one start-up.
 *
 * The worker's source is the text of the functions in `h5-ops.ts` (an eval worker): no extra
 * build entry, and it runs the same from sources under vitest and from both builds in dist.
 * Browsers keep parsing on the calling thread (`readH5`'s in-thread path): a Web Worker there is
 * out of scope for now.
 */
import { FormatError, IoError } from '../errors';
import { type RawAttrValue, type RawDataset, WORKER_FUNCTIONS, h5Reject, h5WorkerInstallHeapCap, h5WorkerServe } from './h5-ops';
import { BASE_HEAP_BUDGET, h5wasmCompiled, h5wasmEntryUrl, isNode } from './h5wasm';

type WorkerThreads = typeof import('node:worker_threads');

/** Time limit of one file: `baseMs` plus `perMBMs` per MiB of the file, for all its requests together. */
export interface H5TimeLimit {
  baseMs: number;
  perMBMs: number;
}

const DEFAULT_LIMIT: H5TimeLimit = { baseMs: 10_000, perMBMs: 1_000 };
let limit: H5TimeLimit = { ...DEFAULT_LIMIT };

/** Sets the time limit of HDF5 parsing (tests use short ones); no argument restores the default (10 s + 1 s/MiB). */
export function setH5TimeLimit(next?: Partial<H5TimeLimit>): void {
  limit = { ...DEFAULT_LIMIT, ...next };
}

/** The time limit (ms) for a file of `byteLength` bytes. */
export function h5TimeLimitMs(byteLength: number): number {
  return limit.baseMs + (limit.perMBMs * byteLength) / 2 ** 20;
}

/** How long a (re)started worker may take to load h5wasm before HDF5 reads fail. */
const START_TIMEOUT_MS = 120_000;

interface Live {
  threads: WorkerThreads;
  worker: import('node:worker_threads').Worker;
  port: import('node:worker_threads').MessagePort;
  signal: Int32Array;
  /** Set once the worker is terminated (time limit or crash): its open files are gone. */
  dead: boolean;
}

let threadsModule: WorkerThreads | null | undefined;
let compiled: WebAssembly.Module | null = null;
let starting: Promise<Live | null> | null = null;
let live: Live | null = null;
let restarts = 0;

/** How many times the worker was replaced after a time-out or crash (tests check recovery with it). */
export function h5WorkerRestarts(): number {
  return restarts;
}

function workerSource(): string {
  // The names are taken from the functions themselves: a bundler may rename them (consistently).
  const install = h5WorkerInstallHeapCap.name;
  const serve = h5WorkerServe.name;
  // Only dynamic import(): an eval worker runs as CommonJS or, when the parent runs with
  // --input-type=module, as an ES module.
  const prelude = `'use strict';
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const state = { budget: workerData.baseBudget, baseBudget: workerData.baseBudget, compiled: workerData.compiled || null, aborted: false };
  ${install}(state);
  try {
    const mod = await import(workerData.entry);
    await mod.ready;
    ${serve}(mod, state, workerData.port, new Int32Array(workerData.signal));
    parentPort.postMessage({ ready: true, compiled: state.compiled });
  } catch (e) {
    parentPort.postMessage({ failed: String((e && e.stack) || e) });
  }
});
`;
  // Some compilers (esbuild's keepNames) wrap functions in a \`__name\` helper; make it a no-op here.
  return `var __name = (f) => f;\n${prelude}\n${WORKER_FUNCTIONS.map((f) => f.toString()).join('\n\n')}\n`;
}

async function startWorker(): Promise<Live | null> {
  if (threadsModule === undefined) {
    try {
      threadsModule = await import('node:worker_threads');
    } catch {
      threadsModule = null;
    }
  }
  const entry = threadsModule == null ? null : await h5wasmEntryUrl();
  if (threadsModule == null || entry == null) return null;
  const threads = threadsModule;
  compiled ??= h5wasmCompiled();
  const { port1, port2 } = new threads.MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new threads.Worker(workerSource(), {
    eval: true,
    workerData: { entry, port: port2, signal: signal.buffer, baseBudget: BASE_HEAP_BUDGET, compiled },
    transferList: [port2],
  });
  port1.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`it did not start in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const done = (f: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        f();
      };
      const onMessage = (m: { ready?: boolean; compiled?: WebAssembly.Module | null; failed?: string }) => {
        if (m.ready) {
          compiled = m.compiled ?? compiled;
          done(resolve);
        } else if (m.failed != null) done(() => reject(new Error(m.failed)));
      };
      const onError = (e: Error) => done(() => reject(e));
      const onExit = (code: number) => done(() => reject(new Error(`it exited with code ${code}`)));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  } catch (e) {
    void worker.terminate();
    throw new Error(`the HDF5 worker thread could not be started (${(e as Error).message})`, { cause: e });
  }
  // Started: from now on the worker must not keep the process alive.
  worker.unref();
  const started: Live = { threads, worker, port: port1, signal, dead: false };
  // An uncaught error in the worker kills it: later requests must not wait for it.
  worker.on('error', () => kill(started));
  worker.on('exit', () => kill(started));
  return started;
}

function kill(w: Live): void {
  if (w.dead) return;
  w.dead = true;
  restarts++;
  if (live === w) live = null;
  void w.worker.terminate();
  w.port.close();
}

/**
 * Stops the worker (the next read starts a fresh one); not counted as a restart. Tests use it to
 * read on a fresh library instance, whose behaviour on a corrupt file does not depend on what
 * was read before.
 */
export async function stopH5Worker(): Promise<void> {
  if (starting != null) await starting.catch(() => null);
  const w = live;
  if (w == null || w.dead) return;
  w.dead = true;
  live = null;
  w.port.close();
  await w.worker.terminate();
}

/**
 * The worker, started on first use (null where worker threads or h5wasm's Node entry are not
 * available: the caller then parses on its own thread).
 */
export async function h5Worker(): Promise<Live | null> {
  if (!isNode) return null;
  if (live != null && !live.dead) return live;
  if (starting == null) {
    starting = startWorker().then(
      (w) => {
        live = w;
        starting = null;
        return w;
      },
      (e) => {
        starting = null;
        throw e;
      },
    );
  }
  return starting;
}

/**
 * One file open in the worker. Every request shares the file's time limit; after a time-out or a
 * crash the worker is gone, and this and every later request of the file fail with that error.
 */
export class WorkerFile {
  private handle = 0;
  private spentMs = 0;
  private failure: IoError | null = null;
  private readonly limitMs: number;

  constructor(
    private readonly w: Live,
    private readonly file: string,
    private readonly byteLength: number,
  ) {
    this.limitMs = h5TimeLimitMs(byteLength);
  }

  /** The error that ended this file (time-out, crash, worker gone), or null. */
  get failed(): IoError | null {
    return this.failure;
  }

  private request(msg: Record<string, unknown>): unknown {
    if (this.failure != null) throw this.failure;
    const w = this.w;
    if (w.dead) {
      this.failure = new IoError(this.file, 'the HDF5 worker was restarted while this file was open (it failed on another file); try again');
      throw this.failure;
    }
    const left = this.limitMs - this.spentMs;
    Atomics.store(w.signal, 0, 0);
    w.port.postMessage({ ...msg, handle: this.handle });
    const t0 = performance.now();
    Atomics.wait(w.signal, 0, 0, Math.max(1, left));
    this.spentMs += performance.now() - t0;
    const got = w.threads.receiveMessageOnPort(w.port);
    if (got === undefined) {
      kill(w);
      const seconds = Math.round(this.limitMs / 100) / 10;
      this.failure = new FormatError(this.file, `the HDF5 library did not finish parsing it in ${seconds} s; the file is corrupt`);
      throw this.failure;
    }
    const reply = got.message as { ok?: unknown; reject?: string; error?: string; crash?: string };
    if (reply.crash != null) {
      kill(w);
      this.failure = new FormatError(this.file, `the HDF5 library rejected the file: it crashed while parsing it (${reply.crash}); the file is corrupt`);
      throw this.failure;
    }
    if (reply.reject != null) throw h5Reject(reply.reject);
    if (reply.error != null) throw new Error(reply.error);
    return reply.ok;
  }

  /** Opens the scratch file at `path` (the bytes already written there). */
  open(path: string): void {
    this.handle = this.request({ op: 'open', path, byteLength: this.byteLength }) as number;
  }

  /** Closes the file in the worker; a dead worker has closed it already. */
  close(): void {
    if (this.handle === 0 || this.failure != null || this.w.dead) return;
    try {
      this.request({ op: 'close' });
    } catch {
      // The result is what matters; a failed close is only a leaked handle in a worker that a
      // time-out or crash has then replaced anyway.
    }
    this.handle = 0;
  }

  keys(path: string): string[] {
    return this.request({ op: 'keys', path }) as string[];
  }

  linkKind(full: string): 'group' | 'dataset' | null {
    return this.request({ op: 'kind', path: full }) as 'group' | 'dataset' | null;
  }

  attrNames(path: string): string[] {
    return this.request({ op: 'attrNames', path }) as string[];
  }

  attr(path: string, name: string): { value: RawAttrValue } | null {
    return this.request({ op: 'attr', path, name }) as { value: RawAttrValue } | null;
  }

  readDataset(full: string): RawDataset {
    return this.request({ op: 'dataset', path: full }) as RawDataset;
  }
}
