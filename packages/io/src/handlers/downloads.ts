import { IoError } from '../errors';
import type { FileStore, StoredFile, WriteOptions } from './types';

/** What the downloads store needs from the browser (injectable for tests). */
export interface DownloadEnvironment {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** Creates a detached `<a>` element. */
  createAnchor(): { href: string; download: string; click(): void };
}

function browserEnvironment(): DownloadEnvironment | undefined {
  if (typeof document === 'undefined' || typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') return undefined;
  return {
    createObjectURL: (b) => URL.createObjectURL(b),
    revokeObjectURL: (u) => URL.revokeObjectURL(u),
    createAnchor: () => document.createElement('a'),
  };
}

/**
 * `downloads://name`: offers the files as browser downloads (one anchor click per file, with an
 * object URL). A TF.js `model.json` is downloaded as `<name>.json`; other files keep their names.
 * Write-only.
 */
export class DownloadsStore implements FileStore {
  readonly name: string;
  private readonly env: DownloadEnvironment | undefined;
  private readonly revokeDelayMs: number;

  /** `revokeDelayMs`: how long each object URL stays valid after its click (default 1000 ms). */
  constructor(name: string, options: { environment?: DownloadEnvironment; revokeDelayMs?: number } = {}) {
    if (name === '') throw new IoError('downloads://', 'empty file name; use downloads://<name>');
    this.name = name;
    this.env = options.environment ?? browserEnvironment();
    this.revokeDelayMs = options.revokeDelayMs ?? 1000;
  }

  describe(path: string): string {
    return `downloads://${this.fileName(path)}`;
  }

  /** The name the browser saves a file under. */
  fileName(path: string): string {
    const p = path.replace(/^(\.\/)+/, '');
    return p === 'model.json' ? `${this.name.replace(/\.json$/, '')}.json` : p;
  }

  async read(path: string): Promise<Uint8Array> {
    throw new IoError(this.describe(path), 'downloads:// is write-only; load the downloaded file from its path or bytes instead');
  }

  async write(files: readonly StoredFile[], options: WriteOptions = {}): Promise<void> {
    const env = this.env;
    if (env == null) throw new IoError(`downloads://${this.name}`, 'downloads need a browser (document and URL.createObjectURL)');
    let done = 0;
    for (const f of files) {
      const type = f.path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      const url = env.createObjectURL(new Blob([f.data as Uint8Array<ArrayBuffer>], { type }));
      try {
        const a = env.createAnchor();
        a.href = url;
        a.download = this.fileName(f.path);
        a.click();
      } finally {
        // Revoking right after the click can cancel the download in some browsers: give it time to start.
        setTimeout(() => env.revokeObjectURL(url), this.revokeDelayMs);
      }
      done += 1;
      options.onProgress?.(done / files.length);
    }
  }
}
