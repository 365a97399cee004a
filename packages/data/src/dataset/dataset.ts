import { type Tensor, ValueError, drawSeed, formatShape, isTensor, tidy } from '@strata/core';
import { cacheFileSystem, decodeElement, encodeElement, fromHost, toHost } from './host-copy';
import { type GeneratorSource, closeIterator, isAsyncFunction, isThenable, readAhead, toAsyncIterator } from './iterate';
import { type PaddedShape, paddedBatchElements } from './padded-batch';
import { iterationSeed, mulberry32 } from './rng';
import { type SliceElement, type Sliceable, planSlices } from './slices';
import { batchElements, cloneElement, disposeElement, disposeUnlessReturned, isDict, tensorsOf, unbatchElement } from './structure';

/** `cardinality` of a dataset whose length is not known until it is read (tf.data's UNKNOWN). */
export const UNKNOWN_CARDINALITY = -1;
/** `cardinality` of a dataset that never ends (tf.data's INFINITE). */
export const INFINITE_CARDINALITY = -2;
/** `numParallelCalls`/`bufferSize` value that lets the dataset choose (tf.data's AUTOTUNE). */
export const AUTOTUNE = -1;

/** What a fresh pass over a dataset reads from. */
type MakeIterator<T> = () => AsyncIterator<T>;

/**
 * A tf.data-style input pipeline: an async iterable of elements that can be read any number of
 * times (each `[Symbol.asyncIterator]()` starts a new pass), built from sources and transforms.
 *
 * Tensor ownership: every element a pass yields belongs to whoever reads it (a transform reading
 * its input, or the final consumer), who must dispose it. A transform disposes the input tensors it
 * does not hand on: `map` disposes its input element after `fn` returns, except tensors `fn`
 * returned; `batch` disposes the elements it stacked; `filter` and `skip` dispose what they drop;
 * a pass closed early disposes what it had buffered. `model.fit` disposes each batch after its step
 * (`disposeBatches` is `true`), so a full pipeline leaves no tensors behind.
 */
export class Dataset<T> implements AsyncIterable<T> {
  /** Tells `model.fit` that the batches are made for it and must be disposed after each step. */
  readonly disposeBatches = true;

  /**
   * Prefer the static sources (`fromGenerator`, `fromTensorSlices`, `range`, ...). `make` starts a
   * new pass; `cardinality` is the element count, `-1` unknown or `-2` infinite.
   */
  constructor(
    private readonly make: MakeIterator<T>,
    private readonly card: number = UNKNOWN_CARDINALITY,
  ) {
    checkCardinality(card, 'Dataset');
  }

  /** Elements per pass as tf.data's `cardinality()`: a count, `-1` unknown or `-2` infinite. */
  get cardinality(): number {
    return this.card;
  }

  /** tfjs-data's `size`: the element count, `Infinity` when infinite, `null` when unknown. */
  get size(): number | null {
    if (this.card === INFINITE_CARDINALITY) return Number.POSITIVE_INFINITY;
    return this.card === UNKNOWN_CARDINALITY ? null : this.card;
  }

  /** A new pass over the dataset. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.make();
  }

  /**
   * A dataset of what `make()` returns: an iterable (iterated afresh on each pass), a generator
   * or an iterator. `make` is called once per pass, so a generator function gives a re-iterable
   * dataset. `cardinality` defaults to `-1` (unknown), as tf.data's `from_generator`.
   */
  static fromGenerator<T>(make: () => GeneratorSource<T>, options: { cardinality?: number } = {}): Dataset<T> {
    if (typeof make !== 'function') {
      throw new ValueError(`Dataset.fromGenerator: \`make\` must be a function returning an iterable or an iterator; got ${typeof make}.`);
    }
    const card = options.cardinality ?? UNKNOWN_CARDINALITY;
    checkCardinality(card, 'Dataset.fromGenerator');
    return new Dataset<T>(() => {
      let it: AsyncIterator<T> | null = null;
      let done = false;
      return {
        next: async () => {
          if (done) return { done: true, value: undefined };
          it ??= toAsyncIterator(make(), 'Dataset.fromGenerator');
          const r = await it.next();
          if (r.done) done = true;
          return r;
        },
        return: async (v?: unknown) => {
          if (it != null && !done) await closeIterator(it);
          done = true;
          return { done: true, value: v as T };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      } as AsyncIterator<T>;
    }, card);
  }

  /**
   * Applies `fn` to each element (tf.data's `map`). `fn` may be async. A synchronous `fn` runs in
   * `tidy`, so its intermediate tensors are freed (it should return tensors, numbers, strings,
   * arrays and plain objects of them); an `async` one must free its own, and a function that
   * returns a promise must be declared `async` (`tidy` cannot wait for it). The input element is
   * disposed after `fn` returns, except tensors that `fn` returned. With `numParallelCalls` > 1 up
   * to that many calls run at once and the output keeps the input order (tf.data's deterministic
   * mode; `AUTOTUNE` runs 4).
   */
  map<U>(fn: (x: T) => U | Promise<U>, options: { numParallelCalls?: number | null } = {}): Dataset<Awaited<U>> {
    if (typeof fn !== 'function') throw new ValueError(`Dataset.map: \`fn\` must be a function; got ${typeof fn}.`);
    const par = options.numParallelCalls ?? 1;
    if (par !== AUTOTUNE && (!Number.isInteger(par) || par < 1)) {
      throw new ValueError(`Dataset.map: \`numParallelCalls\` must be a positive integer or AUTOTUNE (-1); got ${par}.`);
    }
    const depth = par === AUTOTUNE ? 4 : par;
    const apply = async (x: T): Promise<Awaited<U>> => {
      let y: unknown;
      try {
        y = isAsyncFunction(fn) ? fn(x) : tidy(() => fn(x) as never);
        if (isThenable(y)) y = await y;
      } catch (e) {
        disposeElement(x);
        throw e;
      }
      disposeUnlessReturned(x, y);
      return y as Awaited<U>;
    };
    const src = this;
    return new Dataset<Awaited<U>>(
      depth === 1
        ? async function* () {
            for await (const x of src) yield await apply(x);
          }
        : () => readAhead(src[Symbol.asyncIterator](), depth, apply, disposeElement),
      this.card,
    );
  }

  /**
   * Combines consecutive elements into batches of `batchSize` (tf.data's `batch`): tensors are
   * stacked on a new axis 0, numbers and booleans become 1-D tensors, and arrays (tuples) and dicts
   * are batched per component. The last batch is smaller unless `dropRemainder`. The stacked
   * elements are disposed.
   */
  batch(batchSize: number, options: { dropRemainder?: boolean } = {}): Dataset<T> {
    checkPositiveInt(batchSize, 'Dataset.batch', 'batchSize');
    const drop = options.dropRemainder ?? false;
    return new Dataset<T>(
      batching(this, batchSize, drop, (b) => batchElements(b, 'Dataset.batch') as T),
      batchCardinality(this.card, batchSize, drop),
    );
  }

  /**
   * Randomly shuffles the elements with tf.data's buffer algorithm: fill a buffer with the first
   * `bufferSize` elements, then repeatedly emit a uniformly chosen buffered element and put the
   * next input element in its place (once the input ends, the buffer drains the same way). A
   * buffer at least as large as the dataset gives a uniform permutation.
   *
   * Randomness comes from mulberry32 (see `rng.ts`). With a `seed` the orders are reproducible:
   * the first pass uses the seed, pass k a seed mixed from (seed, k) when `reshuffleEachIteration`
   * (the default), else the seed again. Without a seed one is drawn from Strata's global seed
   * generator (so `setRandomSeed` makes it reproducible too) when the dataset is built.
   */
  shuffle(bufferSize: number, options: { seed?: number | null; reshuffleEachIteration?: boolean } = {}): Dataset<T> {
    checkPositiveInt(bufferSize, 'Dataset.shuffle', 'bufferSize');
    if (options.seed != null && !Number.isInteger(options.seed)) {
      throw new ValueError(`Dataset.shuffle: \`seed\` must be an integer or null; got ${options.seed}.`);
    }
    const seed = options.seed ?? drawSeed(null);
    const reshuffle = options.reshuffleEachIteration ?? true;
    const src = this;
    let passes = 0;
    return new Dataset<T>(async function* () {
      const rand = mulberry32(reshuffle ? iterationSeed(seed, passes++) : seed >>> 0);
      const it = src[Symbol.asyncIterator]();
      const buf: T[] = [];
      let ended = false;
      try {
        while (!ended && buf.length < bufferSize) {
          const r = await it.next();
          if (r.done) ended = true;
          else buf.push(r.value);
        }
        while (buf.length > 0) {
          const i = Math.floor(rand() * buf.length);
          const out = buf[i]!;
          let next: IteratorResult<T> | null = null;
          if (!ended) {
            next = await it.next();
            if (next.done) ended = true;
          }
          if (next != null && !next.done) buf[i] = next.value;
          else {
            buf[i] = buf[buf.length - 1]!;
            buf.pop();
          }
          yield out;
        }
      } finally {
        for (const x of buf) disposeElement(x);
        buf.length = 0;
        if (!ended) await closeIterator(it);
      }
    }, this.card);
  }

  /** The first `count` elements (tf.data's `take`; `-1` takes all). */
  take(count: number): Dataset<T> {
    checkCount(count, 'Dataset.take');
    const src = this;
    return new Dataset<T>(
      async function* () {
        if (count === 0) return;
        let k = 0;
        for await (const x of src) {
          yield x;
          if (count !== -1 && ++k >= count) return;
        }
      },
      takeCardinality(this.card, count),
    );
  }

  /**
   * Slices `x` along its first axis (tf.data's `from_tensor_slices`): element `i` holds row `i` of
   * every component and keeps `x`'s structure. `x` is a tensor, a typed array, a nested JS array
   * of numbers (rectangular: one component, float32, as tf.data turns a list into one tensor), or
   * an array (tuple, e.g. `[x, y]`) or dict (`{a, b}`) of these. Each pass makes new tensors for
   * the rows (the reader owns them); `x` itself is read, never disposed, and must stay alive.
   */
  static fromTensorSlices<const S extends Sliceable>(x: S): Dataset<SliceElement<S>> {
    const plan = planSlices(x, 'Dataset.fromTensorSlices');
    const ds = new Dataset<unknown>(async function* () {
      for (let i = 0; i < plan.n; i++) yield plan.element(i);
    }, plan.n);
    return ds as Dataset<never>;
  }

  /**
   * A dataset of one element, `x` itself (tf.data's `from_tensors`): each pass yields a copy of
   * `x` whose tensors are new handles on the same data (`clone`), owned by the reader; `x` is
   * never disposed and must stay alive.
   */
  static fromTensors<E>(x: E): Dataset<E> {
    return new Dataset<E>(async function* () {
      yield cloneElement(x);
    }, 1);
  }

  /**
   * The numbers `start, start + step, ...` before `stop` (tf.data's `range`): `range(stop)`,
   * `range(start, stop)` or `range(start, stop, step)`. Elements are plain numbers (`batch` makes
   * int32 tensors of them), so a pass makes no tensors.
   */
  static range(startOrStop: number, stop?: number, step = 1): Dataset<number> {
    const start = stop == null ? 0 : startOrStop;
    const end = stop == null ? startOrStop : stop;
    for (const [name, v] of [
      ['start', start],
      ['stop', end],
      ['step', step],
    ] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValueError(`Dataset.range: \`${name}\` must be an integer; got ${v}.`);
    }
    if (step === 0) throw new ValueError('Dataset.range: `step` must not be 0.');
    const n = Math.max(0, Math.ceil((end - start) / step));
    return new Dataset<number>(async function* () {
      for (let i = 0; i < n; i++) yield start + i * step;
    }, n);
  }

  /**
   * Pairs up the elements of several datasets (tf.data's `zip`): element `i` is the array (or dict)
   * of element `i` of each dataset. Stops with the shortest; elements already read from the others
   * for a step that cannot complete are disposed.
   */
  static zip<const A extends readonly Dataset<unknown>[]>(datasets: A): Dataset<{ -readonly [K in keyof A]: A[K] extends Dataset<infer E> ? E : never }>;
  static zip<D extends Record<string, Dataset<unknown>>>(datasets: D): Dataset<{ [K in keyof D]: D[K] extends Dataset<infer E> ? E : never }>;
  static zip(datasets: readonly Dataset<unknown>[] | Record<string, Dataset<unknown>>): Dataset<unknown> {
    const isList = Array.isArray(datasets);
    if (!isList && !isDict(datasets)) throw new ValueError('Dataset.zip: `datasets` must be an array or a dict of Datasets.');
    const keys = isList ? null : Object.keys(datasets);
    const list: Dataset<unknown>[] = isList ? [...(datasets as readonly Dataset<unknown>[])] : Object.values(datasets as Record<string, Dataset<unknown>>);
    if (list.length === 0) throw new ValueError('Dataset.zip: `datasets` must not be empty.');
    list.forEach((d, i) => {
      if (!(d instanceof Dataset)) {
        throw new ValueError(`Dataset.zip: every item must be a Dataset; item ${keys?.[i] ?? i} is ${d === null ? 'null' : typeof d}.`);
      }
    });
    return new Dataset<unknown>(async function* () {
      const its = list.map((d) => d[Symbol.asyncIterator]());
      try {
        while (true) {
          const got: unknown[] = [];
          for (const it of its) {
            let r: IteratorResult<unknown>;
            try {
              r = await it.next();
            } catch (e) {
              for (const g of got) disposeElement(g);
              throw e;
            }
            if (r.done) {
              for (const g of got) disposeElement(g);
              return;
            }
            got.push(r.value);
          }
          yield keys == null ? got : Object.fromEntries(keys.map((k, i) => [k, got[i]]));
        }
      } finally {
        await Promise.all(its.map((it) => closeIterator(it)));
      }
    }, zipCardinality(list.map((d) => d.cardinality)));
  }

  /** This dataset's elements, then `other`'s (tf.data's `concatenate`). */
  concatenate<U>(other: Dataset<U>): Dataset<T | U> {
    if (!(other instanceof Dataset)) throw new ValueError(`Dataset.concatenate: \`other\` must be a Dataset; got ${other === null ? 'null' : typeof other}.`);
    const src = this;
    return new Dataset<T | U>(async function* () {
      yield* src;
      yield* other;
    }, concatenateCardinality(this.card, other.cardinality));
  }

  /**
   * The elements for which `predicate` is true (tf.data's `filter`). `predicate` returns a boolean
   * or a bool tensor of one element (read, then freed), or a promise of one; a synchronous one runs
   * in `tidy`.
   * It must not dispose its argument. Dropped elements are disposed. Cardinality becomes unknown.
   */
  filter(predicate: (x: T) => boolean | Tensor | Promise<boolean | Tensor>): Dataset<T> {
    if (typeof predicate !== 'function') throw new ValueError(`Dataset.filter: \`predicate\` must be a function; got ${typeof predicate}.`);
    const src = this;
    const test = async (x: T): Promise<boolean> => {
      if (!isAsyncFunction(predicate)) {
        const r = tidy(() => {
          const v = predicate(x);
          if (isThenable(v)) return v as never;
          return readPredicate(v) as never;
        }) as unknown;
        return isThenable(r) ? readPredicateAsync(await r) : (r as boolean);
      }
      return readPredicateAsync(await predicate(x));
    };
    return new Dataset<T>(
      async function* () {
        for await (const x of src) {
          let keep: boolean;
          try {
            keep = await test(x);
          } catch (e) {
            disposeElement(x);
            throw e;
          }
          if (keep) yield x;
          else disposeElement(x);
        }
      },
      // tf.data's filter does not know how many elements pass, even of an infinite input.
      UNKNOWN_CARDINALITY,
    );
  }

  /**
   * Maps each element to a dataset (or iterable) and yields the elements of each in turn
   * (tf.data's `flat_map`). The input element is disposed once its dataset is read, except tensors
   * that dataset yielded. Cardinality becomes unknown.
   */
  flatMap<U>(fn: (x: T) => Dataset<U> | Iterable<U> | AsyncIterable<U>): Dataset<U> {
    if (typeof fn !== 'function') throw new ValueError(`Dataset.flatMap: \`fn\` must be a function; got ${typeof fn}.`);
    const src = this;
    return new Dataset<U>(async function* () {
      for await (const x of src) {
        const handedOn = new Set<Tensor>();
        try {
          const inner = fn(x);
          const it = toAsyncIterator(inner as GeneratorSource<U>, 'Dataset.flatMap');
          try {
            while (true) {
              const r = await it.next();
              if (r.done) break;
              for (const t of tensorsOf(r.value)) handedOn.add(t);
              yield r.value;
            }
          } finally {
            await closeIterator(it);
          }
        } finally {
          disposeElement(x, handedOn);
        }
      }
    }, UNKNOWN_CARDINALITY);
  }

  /**
   * Like `batch`, for elements whose tensors differ in shape (tf.data's `padded_batch`): each
   * component is padded at the end of each dimension to `paddedShapes` (a shape per component,
   * like the element's structure; -1/null, or no shape at all, pads to the batch's longest) with
   * `paddingValues` (a value per component, or one for all; default 0), then stacked.
   */
  paddedBatch(
    batchSize: number,
    options: { paddedShapes?: PaddedShape | unknown; paddingValues?: number | boolean | unknown; dropRemainder?: boolean } = {},
  ): Dataset<T> {
    checkPositiveInt(batchSize, 'Dataset.paddedBatch', 'batchSize');
    const drop = options.dropRemainder ?? false;
    const op = 'Dataset.paddedBatch';
    const make = (b: unknown[]) => paddedBatchElements(b, options.paddedShapes, options.paddingValues, op) as T;
    return new Dataset<T>(batching(this, batchSize, drop, make), batchCardinality(this.card, batchSize, drop));
  }

  /**
   * Splits each element along its first axis into rows (tf.data's `unbatch`); every component
   * must be a tensor with the same leading size. Cardinality becomes unknown (infinite stays).
   */
  unbatch(): Dataset<T> {
    const src = this;
    return new Dataset<T>(
      async function* () {
        for await (const x of src) {
          let rows: unknown[];
          try {
            rows = unbatchElement(x, 'Dataset.unbatch');
          } finally {
            disposeElement(x);
          }
          let k = 0;
          try {
            for (; k < rows.length; k++) yield rows[k] as T;
          } finally {
            for (let j = k + 1; j < rows.length; j++) disposeElement(rows[j]);
          }
        }
      },
      this.card === INFINITE_CARDINALITY ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY,
    );
  }

  /**
   * Re-cuts batched elements into batches of `batchSize` rows (tf.data's `rebatch`): the same
   * elements as `unbatch().batch(batchSize, { dropRemainder })`. Cardinality becomes unknown.
   */
  rebatch(batchSize: number, options: { dropRemainder?: boolean } = {}): Dataset<T> {
    checkPositiveInt(batchSize, 'Dataset.rebatch', 'batchSize');
    const inner = this.unbatch().batch(batchSize, options);
    return new Dataset<T>(() => inner[Symbol.asyncIterator](), this.card === INFINITE_CARDINALITY ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY);
  }

  /**
   * Repeats the dataset `count` times (tf.data's `repeat`; no count or -1: forever). Each
   * repetition is a new pass, so a shuffle before `repeat` reshuffles. An empty pass ends the
   * repetition (an empty dataset repeated forever is empty).
   */
  repeat(count = -1): Dataset<T> {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < -1) {
      throw new ValueError(`Dataset.repeat: \`count\` must be a non-negative integer or -1 (forever); got ${count}.`);
    }
    const src = this;
    return new Dataset<T>(async function* () {
      for (let pass = 0; count === -1 || pass < count; pass++) {
        let any = false;
        for await (const x of src) {
          any = true;
          yield x;
        }
        if (!any) return;
      }
    }, repeatCardinality(this.card, count));
  }

  /** All but the first `count` elements (tf.data's `skip`; `-1` skips all). Skipped ones are disposed. */
  skip(count: number): Dataset<T> {
    checkCount(count, 'Dataset.skip');
    const src = this;
    return new Dataset<T>(
      async function* () {
        let k = 0;
        for await (const x of src) {
          if (count === -1 || k < count) {
            k++;
            disposeElement(x);
            continue;
          }
          yield x;
        }
      },
      skipCardinality(this.card, count),
    );
  }

  /**
   * Caches the elements (tf.data's `cache`). The first pass that reads the dataset to the end
   * fills the cache; later passes read the cache, not the upstream pipeline. A pass stopped early
   * leaves no cache behind (the next pass starts over), and passes running while one fills the
   * cache read upstream. Without `filename` the cache is in memory; the elements are kept as host
   * data, not tensors, so each pass hands out new tensors its reader owns. With `filename` (Node
   * only) the cache is written to that file (via `filename.tmp-*`, renamed once complete) and a
   * file already there is read instead, also by a later program.
   */
  cache(filename = ''): Dataset<T> {
    if (typeof filename !== 'string') throw new ValueError(`Dataset.cache: \`filename\` must be a string; got ${typeof filename}.`);
    const src = this;
    if (filename === '') {
      let cached: unknown[] | null = null;
      let filling = false;
      return new Dataset<T>(async function* () {
        if (cached != null) {
          for (const h of cached) yield fromHost(h) as T;
          return;
        }
        if (filling) {
          yield* src;
          return;
        }
        filling = true;
        const buf: unknown[] = [];
        let complete = false;
        try {
          for await (const x of src) {
            try {
              buf.push(await toHost(x));
            } catch (e) {
              disposeElement(x);
              throw e;
            }
            yield x;
          }
          complete = true;
        } finally {
          filling = false;
          if (complete) cached = buf;
        }
      }, this.card);
    }
    let writing = false;
    return new Dataset<T>(async function* () {
      const fs = await cacheFileSystem();
      const exists = await fs.access(filename).then(
        () => true,
        () => false,
      );
      if (exists) {
        const text = await fs.readFile(filename, 'utf8');
        for (const line of text.split('\n')) {
          if (line === '') continue;
          yield fromHost(decodeElement(line, filename)) as T;
        }
        return;
      }
      if (writing) {
        yield* src;
        return;
      }
      writing = true;
      const tmp = `${filename}.tmp-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      let pending: string[] = [];
      let complete = false;
      try {
        await fs.writeFile(tmp, '');
        for await (const x of src) {
          try {
            pending.push(encodeElement(await toHost(x)));
            if (pending.length >= 64) {
              await fs.appendFile(tmp, `${pending.join('\n')}\n`);
              pending = [];
            }
          } catch (e) {
            disposeElement(x);
            throw e;
          }
          yield x;
        }
        if (pending.length > 0) await fs.appendFile(tmp, `${pending.join('\n')}\n`);
        await fs.rename(tmp, filename);
        complete = true;
      } finally {
        writing = false;
        if (!complete) await fs.rm(tmp, { force: true });
      }
    }, this.card);
  }

  /**
   * Reads up to `bufferSize` elements ahead (tf.data's `prefetch`): the upstream pipeline keeps
   * producing while the reader works on earlier elements. `AUTOTUNE` (-1) reads 2 ahead; 0 reads
   * none. Elements still buffered when a pass stops early are disposed.
   */
  prefetch(bufferSize: number): Dataset<T> {
    if (typeof bufferSize !== 'number' || !Number.isInteger(bufferSize) || bufferSize < AUTOTUNE) {
      throw new ValueError(`Dataset.prefetch: \`bufferSize\` must be a non-negative integer or AUTOTUNE (-1); got ${bufferSize}.`);
    }
    if (bufferSize === 0) return new Dataset<T>(() => this[Symbol.asyncIterator](), this.card);
    const depth = bufferSize === AUTOTUNE ? 2 : bufferSize;
    return new Dataset<T>(() => readAhead(this[Symbol.asyncIterator](), depth, (x: T) => x, disposeElement), this.card);
  }

  /**
   * Groups elements into windows (tf.data's `window`): window `k` starts at element `k * shift`
   * (default `shift = size`) and holds up to `size` elements `stride` apart. Unlike tf.data, whose
   * windows are datasets, each window is an array of elements; an element in several windows is
   * cloned for each (clones share data), so every window is its reader's to dispose. The last
   * windows are shorter unless `dropRemainder`.
   */
  window(size: number, options: { shift?: number; stride?: number; dropRemainder?: boolean } = {}): Dataset<T[]> {
    checkPositiveInt(size, 'Dataset.window', 'size');
    const shift = options.shift ?? size;
    const stride = options.stride ?? 1;
    checkPositiveInt(shift, 'Dataset.window', 'shift');
    checkPositiveInt(stride, 'Dataset.window', 'stride');
    const drop = options.dropRemainder ?? false;
    // The span from a window's first element to its last.
    const span = (size - 1) * stride + 1;
    const src = this;
    return new Dataset<T[]>(async function* () {
      const it = src[Symbol.asyncIterator]();
      const buf: T[] = [];
      let ended = false;
      const pull = async (): Promise<IteratorResult<T>> => {
        const r = await it.next();
        if (r.done) ended = true;
        return r;
      };
      try {
        while (true) {
          while (!ended && buf.length < span) {
            const r = await pull();
            if (!r.done) buf.push(r.value);
          }
          if (buf.length === 0 || (drop && buf.length < span)) return;
          const win: T[] = [];
          for (let i = 0; i < buf.length; i += stride) win.push(cloneElement(buf[i]!));
          if (shift >= buf.length) {
            for (let i = buf.length; !ended && i < shift; i++) {
              const r = await pull();
              if (!r.done) disposeElement(r.value);
            }
            for (const x of buf.splice(0)) disposeElement(x);
          } else {
            for (const x of buf.splice(0, shift)) disposeElement(x);
          }
          yield win;
        }
      } finally {
        for (const x of buf) disposeElement(x);
        if (!ended) await closeIterator(it);
      }
    }, windowCardinality(this.card, span, shift, drop));
  }

  /** Every element of one pass, in order (the caller owns their tensors). */
  async toArray(): Promise<T[]> {
    checkFinite(this.card, 'Dataset.toArray');
    const out: T[] = [];
    try {
      for await (const x of this) out.push(x);
    } catch (e) {
      for (const x of out) disposeElement(x);
      throw e;
    }
    return out;
  }

  /**
   * Every element of one pass as plain JS values (tf.data's `as_numpy_iterator`, collected):
   * tensors become nested arrays (scalars numbers) and are disposed.
   */
  async toArrayValues(): Promise<unknown[]> {
    checkFinite(this.card, 'Dataset.toArrayValues');
    const out: unknown[] = [];
    for await (const v of this.asArrayIterator()) out.push(v);
    return out;
  }

  /** A pass over the elements as plain JS values (tensors read with `array()`, then disposed). */
  async *asArrayIterator(): AsyncGenerator<unknown> {
    for await (const x of this) {
      try {
        yield await toValues(x);
      } finally {
        disposeElement(x);
      }
    }
  }

  /**
   * Calls `fn` on each element of one pass, in order, awaiting it (tfjs-data's `forEachAsync`).
   * The element is disposed after `fn` returns: keep a tensor beyond that by cloning it.
   */
  async forEachAsync(fn: (x: T) => void | Promise<void>): Promise<void> {
    if (typeof fn !== 'function') throw new ValueError(`Dataset.forEachAsync: \`fn\` must be a function; got ${typeof fn}.`);
    checkFinite(this.card, 'Dataset.forEachAsync');
    for await (const x of this) {
      try {
        await fn(x);
      } finally {
        disposeElement(x);
      }
    }
  }
}

/** The `batch`/`paddedBatch` pass: groups of `size` elements handed to `make`, which disposes them. */
function batching<T>(src: Dataset<T>, size: number, drop: boolean, make: (b: unknown[]) => T): () => AsyncGenerator<T> {
  return async function* () {
    let buf: T[] = [];
    try {
      for await (const x of src) {
        buf.push(x);
        if (buf.length === size) {
          const b = buf;
          buf = [];
          yield make(b);
        }
      }
      if (buf.length > 0 && !drop) {
        const b = buf;
        buf = [];
        yield make(b);
      }
    } finally {
      for (const x of buf) disposeElement(x);
    }
  };
}

async function toValues(x: unknown): Promise<unknown> {
  if (isTensor(x)) return x.dtype === 'bool' ? toBooleans(await x.array()) : x.array();
  if (Array.isArray(x)) return Promise.all(x.map(toValues));
  if (isDict(x)) {
    const entries = await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await toValues(v)] as const));
    return Object.fromEntries(entries);
  }
  return x;
}

// tfjs reads bool tensors as 0/1; as_numpy_iterator gives booleans.
function toBooleans(v: unknown): unknown {
  return Array.isArray(v) ? v.map(toBooleans) : Boolean(v);
}

function checkPredicateTensor(v: Tensor): void {
  if (v.size !== 1 || v.dtype !== 'bool') {
    throw new ValueError(`Dataset.filter: \`predicate\` must return a boolean or a scalar bool tensor; got a ${v.dtype} tensor of shape ${formatShape(v.shape)}.`);
  }
}

function readPredicate(v: unknown): boolean {
  if (isTensor(v)) {
    checkPredicateTensor(v);
    return Boolean(v.dataSync()[0]);
  }
  if (typeof v !== 'boolean') throw new ValueError(`Dataset.filter: \`predicate\` must return a boolean or a scalar bool tensor; got ${typeof v}.`);
  return v;
}

async function readPredicateAsync(v: unknown): Promise<boolean> {
  if (isTensor(v)) {
    try {
      checkPredicateTensor(v);
      return Boolean((await v.data())[0]);
    } finally {
      v.dispose();
    }
  }
  return readPredicate(v);
}

function checkFinite(n: number, op: string): void {
  if (n === INFINITE_CARDINALITY) throw new ValueError(`${op}: the dataset is infinite (cardinality -2); take(n) first.`);
}

function checkCardinality(n: number, op: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < INFINITE_CARDINALITY) {
    throw new ValueError(`${op}: \`cardinality\` must be a non-negative integer, -1 (unknown) or -2 (infinite); got ${n}.`);
  }
}

function checkPositiveInt(n: number, op: string, arg: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new ValueError(`${op}: \`${arg}\` must be a positive integer; got ${n}.`);
  }
}

function checkCount(n: number, op: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) {
    throw new ValueError(`${op}: \`count\` must be a non-negative integer or -1 (all); got ${n}.`);
  }
}

// Cardinality rules, as tf.data's kernels compute them (`CardinalityInternal` of each op).

function batchCardinality(n: number, size: number, drop: boolean): number {
  if (n < 0) return n;
  return drop ? Math.floor(n / size) : Math.ceil(n / size);
}

function takeCardinality(n: number, count: number): number {
  if (n === UNKNOWN_CARDINALITY) return n;
  if (count === -1) return n;
  if (n === INFINITE_CARDINALITY) return count;
  return Math.min(n, count);
}

function skipCardinality(n: number, count: number): number {
  if (n < 0) return n;
  if (count === -1) return 0;
  return Math.max(0, n - count);
}

function repeatCardinality(n: number, count: number): number {
  if (count === -1) return n === 0 ? 0 : INFINITE_CARDINALITY;
  if (count === 0) return 0;
  if (n < 0) return n;
  return n * count;
}

function concatenateCardinality(a: number, b: number): number {
  if (a === INFINITE_CARDINALITY || b === INFINITE_CARDINALITY) return INFINITE_CARDINALITY;
  if (a === UNKNOWN_CARDINALITY || b === UNKNOWN_CARDINALITY) return UNKNOWN_CARDINALITY;
  return a + b;
}

function zipCardinality(ns: number[]): number {
  if (ns.includes(UNKNOWN_CARDINALITY)) return UNKNOWN_CARDINALITY;
  const finite = ns.filter((n) => n !== INFINITE_CARDINALITY);
  return finite.length === 0 ? INFINITE_CARDINALITY : Math.min(...finite);
}

function windowCardinality(n: number, span: number, shift: number, drop: boolean): number {
  if (n < 0) return n;
  if (drop) return n < span ? 0 : Math.floor((n - span) / shift) + 1;
  return Math.ceil(n / shift);
}
