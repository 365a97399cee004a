import { IDB_OBJECT_STORE } from './indexed-db';

// Test helper (not exported by the package): a small in-memory IDBFactory. Requests fire
// asynchronously; writes are staged and applied when the transaction commits (after its last
// request); `abort()` or a failing put (`failPuts`) discards them.

type Handler = (() => void) | null;
class FakeRequest<T> {
  result!: T;
  error: Error | null = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;
}

class FakeTransaction {
  oncomplete: Handler = null;
  onerror: Handler = null;
  onabort: Handler = null;
  error: Error | null = null;
  private pending = 0;
  private aborted = false;
  private readonly staged: [string, unknown][] = [];
  constructor(
    private readonly db: FakeDatabase,
    readonly mode: string,
  ) {
    this.scheduleCommit();
  }
  objectStore(name: string) {
    if (!this.db.stores.has(name)) throw new Error(`NotFoundError: no object store ${name}`);
    const data = this.db.stores.get(name)!;
    return {
      get: (key: string) => this.request(() => data.get(key)),
      put: (value: unknown, key: string) => {
        if (this.mode !== 'readwrite') throw new Error('ReadOnlyError');
        if (this.db.factory.failPuts) {
          this.fail(new Error('QuotaExceededError'));
          return new FakeRequest();
        }
        this.staged.push([key, structuredClone(value)]);
        return this.request(() => key);
      },
    };
  }
  abort(): void {
    this.aborted = true;
    this.error = new Error('AbortError');
    setTimeout(() => this.onabort?.(), 0);
  }
  private fail(e: Error): void {
    this.aborted = true;
    this.error = e;
    setTimeout(() => {
      this.onerror?.();
    }, 0);
  }
  private request<T>(compute: () => T): FakeRequest<T> {
    const req = new FakeRequest<T>();
    this.pending++;
    setTimeout(() => {
      req.result = compute();
      this.pending--;
      req.onsuccess?.();
      this.scheduleCommit();
    }, 0);
    return req;
  }
  private scheduleCommit(): void {
    setTimeout(() => {
      if (this.pending > 0 || this.aborted || this.done) return;
      this.done = true;
      const store = this.db.stores.get(IDB_OBJECT_STORE);
      for (const [k, v] of this.staged) store?.set(k, v);
      this.oncomplete?.();
    }, 1);
  }
  private done = false;
}

class FakeDatabase {
  readonly stores = new Map<string, Map<string, unknown>>();
  closed = 0;
  constructor(readonly factory: FakeIDBFactory) {}
  get objectStoreNames() {
    return { contains: (n: string) => this.stores.has(n) };
  }
  createObjectStore(name: string) {
    this.stores.set(name, new Map());
  }
  transaction(name: string, mode: string) {
    if (!this.stores.has(name)) throw new Error(`NotFoundError: ${name}`);
    return new FakeTransaction(this, mode);
  }
  close() {
    this.closed++;
  }
}

export class FakeIDBFactory {
  readonly dbs = new Map<string, FakeDatabase>();
  failPuts = false;
  opened: string[] = [];
  open(name: string, _version: number) {
    const req = new FakeRequest<FakeDatabase>();
    this.opened.push(name);
    setTimeout(() => {
      let db = this.dbs.get(name);
      const fresh = db == null;
      if (db == null) {
        db = new FakeDatabase(this);
        this.dbs.set(name, db);
      }
      req.result = db;
      if (fresh) req.onupgradeneeded?.();
      req.onsuccess?.();
    }, 0);
    return req;
  }
}

