// An event file in a log directory, as `tf.summary.create_file_writer` makes one. The Node file
// system is loaded on first flush (`import('node:fs/promises')`) so that bundling the package for
// the browser does not pull it in; in a runtime without it, flushing fails with a clear error.
import { RuntimeError } from '@strata/core';
import { fileVersionEvent, summaryEvent, tfRecord } from './events';

/** What the writer needs of `node:fs/promises`. */
interface FileSystem {
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  appendFile(path: string, data: Uint8Array): Promise<void>;
}

let fsModule: Promise<FileSystem> | null = null;

function fileSystem(): Promise<FileSystem> {
  if (fsModule == null) {
    fsModule = import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises').catch((e: unknown) => {
      fsModule = null;
      throw new RuntimeError(
        'TensorBoard: writing event files needs a file system (`node:fs/promises`), which this runtime does not ' +
          `provide (${e instanceof Error ? e.message : String(e)}).`,
      );
    });
  }
  return fsModule;
}

async function hostname(): Promise<string> {
  try {
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os');
    return os.hostname();
  } catch {
    return 'localhost';
  }
}

function processId(): number {
  const proc = (globalThis as { process?: { pid?: number } }).process;
  return proc?.pid ?? 0;
}

/** `a/b`, without doubling a separator `a` already ends with. */
export function joinPath(dir: string, name: string): string {
  if (dir === '') return name;
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}

// TensorFlow numbers the writers of a process so that two made in the same second get two files.
let writerCount = 0;

export interface EventFileWriterOptions {
  /** Appended to the file name. Default '.v2' (what TF 2's `create_file_writer` uses). */
  filenameSuffix?: string;
  /** Records kept in memory before `shouldFlush` turns true. Default 10 (TF's `max_queue`). */
  maxQueue?: number;
  /** Stored in the first event's `source_metadata.writer`. */
  writerName?: string;
}

/**
 * One `events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>` file in `logDir`. Events are
 * framed as TFRecords and queued; `flush()` creates the directory and file if needed and appends
 * the queue. The first record is the `file_version` event ('brain.Event:2').
 */
export class EventFileWriter {
  readonly logDir: string;
  readonly filenameSuffix: string;
  readonly maxQueue: number;
  /** Creation time, in seconds since the epoch (the file name's timestamp). */
  readonly createdAt: number;
  /** The file's path, known once it is first flushed. */
  path: string | null = null;
  private readonly index: number;
  private pending: Uint8Array[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(logDir: string, options: EventFileWriterOptions = {}) {
    this.logDir = logDir;
    this.filenameSuffix = options.filenameSuffix ?? '.v2';
    this.maxQueue = options.maxQueue ?? 10;
    this.createdAt = Date.now() / 1000;
    this.index = writerCount++;
    this.addEvent(fileVersionEvent(this.createdAt, options.writerName ?? 'strata.callbacks.tensorboard'));
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Records waiting for `flush()`. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** True when more than `maxQueue` records wait (the caller should flush). */
  get shouldFlush(): boolean {
    return this.pending.length > this.maxQueue;
  }

  /** Queues an encoded `Event`. */
  addEvent(event: Uint8Array): void {
    if (this.closed) throw new RuntimeError(`EventFileWriter: the writer for ${this.logDir} is closed.`);
    this.pending.push(tfRecord(event));
  }

  /** Queues an event holding `values` (encoded `Summary.Value`s) at `step`, stamped now. */
  addSummary(step: number, values: readonly Uint8Array[]): void {
    this.addEvent(summaryEvent(Date.now() / 1000, step, values));
  }

  /** Appends the queued records to the file (creating it on the first call). */
  flush(): Promise<void> {
    const op = this.chain.then(() => this.writePending());
    // A failed write must not block later ones.
    this.chain = op.catch(() => undefined);
    return op;
  }

  /** Flushes, then refuses further events. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0 && this.path != null) return;
    const records = this.pending;
    this.pending = [];
    try {
      const fs = await fileSystem();
      if (this.path == null) {
        await fs.mkdir(this.logDir, { recursive: true });
        const seconds = String(Math.floor(this.createdAt)).padStart(10, '0');
        const name = `events.out.tfevents.${seconds}.${await hostname()}.${processId()}.${this.index}${this.filenameSuffix}`;
        this.path = joinPath(this.logDir, name);
      }
      let size = 0;
      for (const r of records) size += r.length;
      const data = new Uint8Array(size);
      let offset = 0;
      for (const r of records) {
        data.set(r, offset);
        offset += r.length;
      }
      await fs.appendFile(this.path, data);
    } catch (e) {
      // Keep the records for the next attempt.
      this.pending = records.concat(this.pending);
      throw e;
    }
  }
}
