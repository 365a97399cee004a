import { IoError } from '../errors';
import { type FileStore, type StoredFile, type WriteOptions, basename } from './types';

/** The subset of the global `fetch` the http store uses (injectable). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpStoreOptions {
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Extra request options (headers, credentials, ...) for every request. */
  requestInit?: RequestInit;
  /** HTTP method used by `write` (tfjs' `http()` handler posts the files as multipart form data). Default 'POST'. */
  method?: string;
}

/**
 * Model files served over `http://` / `https://`. Reading fetches each file, reporting progress
 * from `content-length` while the body streams in; relative paths (TF.js weight shards) resolve
 * against the URL of the main file. Writing sends all files in one multipart form request, as
 * tfjs' `io.http` save handler does.
 */
export class HttpStore implements FileStore {
  readonly url: string;
  private readonly options: HttpStoreOptions;

  /** `url`: the main file's URL (relative paths resolve against it). */
  constructor(url: string, options: HttpStoreOptions = {}) {
    this.url = url;
    this.options = options;
  }

  private fetchFn(what: string): FetchLike {
    const f = this.options.fetch ?? (typeof fetch === 'function' ? fetch : undefined);
    if (f == null) throw new IoError(what, 'no global fetch in this environment; pass one in the http options');
    return f;
  }

  describe(path: string): string {
    try {
      return new URL(path, this.url).href;
    } catch {
      return path;
    }
  }

  async read(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
    const url = this.describe(path);
    const fetchFn = this.fetchFn(url);
    let res: Response;
    try {
      res = await fetchFn(url, this.options.requestInit);
    } catch (e) {
      throw new IoError(url, `request failed: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (!res.ok) throw new IoError(url, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    const total = Number(res.headers.get('content-length') ?? Number.NaN);
    if (res.body == null || typeof res.body.getReader !== 'function') {
      const data = new Uint8Array(await res.arrayBuffer());
      onProgress?.(1);
      return data;
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        // Without a content-length (or with a compressed body that outgrows it) the fraction is unknown until the end.
        if (onProgress && Number.isFinite(total) && total > 0 && received < total) onProgress(received / total);
      }
    } catch (e) {
      throw new IoError(url, `the download broke off after ${received} bytes: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (Number.isFinite(total) && total > 0 && received < total && res.headers.get('content-encoding') == null) {
      throw new IoError(url, `truncated response: got ${received} of ${total} bytes`);
    }
    onProgress?.(1);
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(received);
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    const url = this.url;
    const fetchFn = this.fetchFn(url);
    const form = new FormData();
    for (const f of files) {
      // Form field and file name: the file's own name (the main file's path is its full URL).
      const name = basename(f.path);
      const type = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      form.append(name, new Blob([f.data as Uint8Array<ArrayBuffer>], { type }), name);
    }
    let res: Response;
    try {
      res = await fetchFn(url, { ...this.options.requestInit, method: this.options.method ?? 'POST', body: form });
    } catch (e) {
      throw new IoError(url, `upload failed: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (!res.ok) throw new IoError(url, `upload failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    options.onProgress?.(1);
  }
}
