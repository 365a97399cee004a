import { ValueError } from '@strata/core';

/** Chunk size for reading local files: small enough to keep memory flat, large enough to be fast. */
export const READ_CHUNK_BYTES = 1 << 16;

/** Whether `path` is a URL to fetch (anything with a scheme other than `file:`). */
export function isUrl(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !/^file:\/\//i.test(path);
}

/**
 * Opens a local file (Node `fs.createReadStream`) or a URL (`fetch`, read from the body stream) as
 * a web `ReadableStream` of byte chunks, never holding the whole file. Cancelling the stream closes
 * the file / the connection. `who` names the caller in errors, which also name the path.
 */
export async function openByteStream(path: string, who: string): Promise<ReadableStream<Uint8Array>> {
  if (typeof path !== 'string' || path === '') {
    throw new ValueError(`${who}: the file path must be a non-empty string. Received: ${String(path)}`);
  }
  if (isUrl(path)) {
    let res: Response;
    try {
      res = await fetch(path);
    } catch (e) {
      throw new ValueError(`${who}: cannot fetch ${path}: ${(e as Error).message}`);
    }
    if (!res.ok || res.body == null) {
      await res.body?.cancel().catch(() => {});
      throw new ValueError(`${who}: cannot fetch ${path}: HTTP ${res.status} ${res.statusText}`);
    }
    return res.body;
  }
  let fs: typeof import('node:fs');
  let Readable: typeof import('node:stream').Readable;
  let url: typeof import('node:url');
  try {
    fs = await import('node:fs');
    Readable = (await import('node:stream')).Readable;
    url = await import('node:url');
    // Bundlers for the browser resolve node: modules to empty stubs rather than failing.
    if (typeof fs.createReadStream !== 'function' || typeof Readable?.toWeb !== 'function') throw new Error('no node:fs');
  } catch {
    throw new ValueError(`${who}: cannot read ${path}: local files need Node's file system; pass an http(s) URL in the browser.`);
  }
  const local = /^file:\/\//i.test(path) ? url.fileURLToPath(path) : path;
  const stat = await fs.promises.stat(local).catch((e: Error) => {
    throw new ValueError(`${who}: cannot read ${path}: ${e.message}`);
  });
  if (!stat.isFile()) throw new ValueError(`${who}: cannot read ${path}: not a regular file.`);
  const rs = fs.createReadStream(local, { highWaterMark: READ_CHUNK_BYTES });
  return Readable.toWeb(rs) as unknown as ReadableStream<Uint8Array>;
}

/**
 * Async iteration over a byte stream that cancels it (closing the file) when the reader stops
 * early or fails.
 */
export async function* iterateStream<T>(body: ReadableStream<T>): AsyncGenerator<T> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
