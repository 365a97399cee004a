import { type Tensor, ValueError, isTensor } from '@strata/core';
import type { DataInput } from './data';

/** What a dataset may say about itself. */
export interface DatasetInfo {
  /**
   * Batches per pass, as tf.data's `cardinality()`: `-1` unknown, `-2` infinite. Used for the
   * progress bar's `steps` and to know when a pass ends without asking for one batch too many.
   */
  readonly cardinality?: number;
  /** Batches per pass (`null` unknown, `Infinity` infinite); read when `cardinality` is absent. */
  readonly size?: number | null;
  /**
   * Who disposes the tensors the dataset yields. Default `true`: the training loop disposes every
   * tensor of a batch after the step that used it, as tfjs-layers' `fitDataset` does, because the
   * dataset made them for that step. Set `false` when the dataset yields tensors it keeps (the
   * same tensors every pass, say): the loop then leaves them alone and the producer disposes them.
   * Arrays and nested JS arrays a batch holds are converted, and those copies are always disposed.
   */
  readonly disposeBatches?: boolean;
}

/** One batch of a dataset for `fit`/`evaluate`: `[x, y]` or `[x, y, sampleWeight]`. */
export type DatasetBatch = [DataInput, DataInput] | [DataInput, DataInput, DataInput];

/** One batch of a dataset for `predict`: `x` or `[x]` (a longer tuple's y and weights are ignored). */
export type PredictBatch = DataInput | [DataInput] | DatasetBatch;

/**
 * A dataset for `fit`/`evaluate`/`predict`: any sync or async iterable of batches. It is iterated
 * anew (`[Symbol.asyncIterator]()` or `[Symbol.iterator]()`) for every pass over the data, as Keras
 * re-iterates a `tf.data.Dataset`, so a generator *object* can serve one pass only; pass an object
 * whose iterator method starts over, or set `stepsPerEpoch` to read one long stream.
 */
export type Dataset<T = DatasetBatch> = (Iterable<T> | AsyncIterable<T>) & DatasetInfo;

/**
 * Whether `x` is a dataset rather than data: an iterable that is not a tensor, an array, a typed
 * array or a string.
 */
export function isDataset(x: unknown): x is Dataset<unknown> {
  if (x == null || typeof x !== 'object') return false;
  if (isTensor(x) || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const it = x as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof it[Symbol.asyncIterator] === 'function' || typeof it[Symbol.iterator] === 'function';
}

/**
 * Batches per pass of `ds`: a count, `Infinity` for an infinite dataset, `null` when unknown.
 * `what` names the argument in errors.
 */
export function datasetCardinality(ds: DatasetInfo, what: string): number | null {
  const check = (n: number, field: string): number => {
    if (!Number.isInteger(n) || n < 0) {
      throw new ValueError(`${what}: the dataset's \`${field}\` must be a non-negative integer${field === 'cardinality' ? ', -1 (unknown) or -2 (infinite)' : ', null or Infinity'}; got ${n}.`);
    }
    return n;
  };
  if (ds.cardinality != null) {
    if (ds.cardinality === -1) return null;
    if (ds.cardinality === -2) return Number.POSITIVE_INFINITY;
    return check(ds.cardinality, 'cardinality');
  }
  if (typeof ds.size === 'number') return ds.size === Number.POSITIVE_INFINITY ? ds.size : check(ds.size, 'size');
  return null;
}

/** A fresh iterator over `ds` (async when it has one), closed with `closeIterator`. */
export function openDataset<T>(ds: Dataset<T>): Iterator<T> | AsyncIterator<T> {
  const asyncIt = (ds as AsyncIterable<T>)[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(ds);
  return (ds as Iterable<T>)[Symbol.iterator]();
}

/** Lets a generator run its `finally` blocks when the loop stops reading it early. */
export async function closeIterator(it: Iterator<unknown> | AsyncIterator<unknown>): Promise<void> {
  if (typeof it.return === 'function') await it.return();
}

/**
 * Splits one yielded batch like Keras' `unpack_x_y_sample_weight`: a list of 1, 2 or 3 items is
 * `(x,)`, `(x, y)` or `(x, y, sampleWeight)`; anything else is `x` alone. For `predict`, a nested
 * JS array of numbers is one `x` (for `fit`/`evaluate` a batch is always a tuple).
 */
export function unpackBatch(batch: unknown, forPredict: boolean): { x: DataInput; y?: DataInput; sampleWeight?: DataInput } {
  if (Array.isArray(batch) && batch.length >= 1 && batch.length <= 3 && !(forPredict && isNumberArray(batch))) {
    return { x: batch[0] as DataInput, y: batch[1] as DataInput | undefined, sampleWeight: batch[2] as DataInput | undefined };
  }
  return { x: batch as DataInput };
}

/** A nested JS array of numbers is one array of data, not a tuple. */
function isNumberArray(a: unknown[]): boolean {
  return a.every((e) => typeof e === 'number' || (Array.isArray(e) && isNumberArray(e)));
}

/** Disposes each tensor once, skipping ones already disposed. */
export function disposeAll(ts: Iterable<Tensor>): void {
  for (const t of new Set(ts)) if (!t.isDisposed) t.dispose();
}
