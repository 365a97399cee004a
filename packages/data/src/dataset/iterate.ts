/** Iterators the dataset ops read and write. */

/** What `fromGenerator` accepts from its factory. */
export type GeneratorSource<T> = Iterable<T> | AsyncIterable<T> | Iterator<T> | AsyncIterator<T>;

/** An async iterator over whatever `make()` returned (an iterable is iterated afresh). */
export function toAsyncIterator<T>(src: GeneratorSource<T>, op: string): AsyncIterator<T> {
  if (src == null || (typeof src !== 'object' && typeof src !== 'function')) {
    throw new TypeError(`${op}: the generator factory must return an iterable or an iterator; got ${src === null ? 'null' : typeof src}.`);
  }
  const s = src as Partial<AsyncIterable<T> & Iterable<T> & Iterator<T>>;
  const asyncIt = s[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(s);
  const syncIt = s[Symbol.iterator];
  if (typeof syncIt === 'function') return syncToAsync(syncIt.call(s));
  if (typeof s.next === 'function') return syncToAsync(src as Iterator<T> | AsyncIterator<T>);
  throw new TypeError(`${op}: the generator factory must return an iterable or an iterator; got an object without next() or [Symbol.iterator].`);
}

function syncToAsync<T>(it: Iterator<T> | AsyncIterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async (v?: unknown) => (typeof it.return === 'function' ? it.return(v as T) : { done: true, value: v as T }),
  };
}

/** Lets an upstream iterator run its cleanup (`finally` blocks) when a reader stops early. */
export async function closeIterator(it: AsyncIterator<unknown>): Promise<void> {
  if (typeof it.return === 'function') await it.return();
}

/** Whether `x` looks like a promise (so `map`/`filter` await it). */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x != null && (typeof x === 'object' || typeof x === 'function') && typeof (x as PromiseLike<unknown>).then === 'function';
}

/** Whether `fn` was declared `async` (its tensors then cannot be collected by `tidy`). */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction';
}

/**
 * Reads `it` ahead: keeps up to `depth` calls of `it.next()` (run one after another) and of `work`
 * on their values (run concurrently) in flight, and yields the results in input order. Used by
 * `prefetch` (work = identity) and parallel `map`. When the reader stops early, results still in
 * flight are awaited and handed to `discard`, then `it` is closed.
 */
export async function* readAhead<T, U>(
  it: AsyncIterator<T>,
  depth: number,
  work: (x: T) => Promise<U> | U,
  discard: (u: U) => void,
): AsyncGenerator<U> {
  type Slot = Promise<{ done: true } | { done: false; value: U }>;
  const queue: Slot[] = [];
  let pulling: Promise<unknown> = Promise.resolve();
  let exhausted = false;
  const start = () => {
    const next = pulling.then(() => (exhausted ? ({ done: true } as IteratorResult<T>) : it.next()));
    pulling = next.then(
      (r) => {
        if (r.done) exhausted = true;
      },
      () => {
        exhausted = true;
      },
    );
    const slot: Slot = next.then(async (r) => (r.done ? { done: true as const } : { done: false as const, value: await work(r.value) }));
    // Errors surface when the slot is awaited in order; this only silences the early warning.
    slot.catch(() => {});
    queue.push(slot);
  };
  try {
    for (let i = 0; i < depth; i++) start();
    while (queue.length > 0) {
      const r = await queue.shift()!;
      if (r.done) break;
      if (!exhausted) start();
      yield r.value;
    }
  } finally {
    for (const slot of queue.splice(0)) {
      try {
        const r = await slot;
        if (!r.done) discard(r.value);
      } catch {
        // The reader is already leaving (with its own result or error).
      }
    }
    await pulling.catch(() => {});
    await closeIterator(it);
  }
}
