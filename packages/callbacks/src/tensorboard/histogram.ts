import { ValueError } from '@strata/core';

/** `tf.summary.histogram`'s default number of buckets. */
export const DEFAULT_BUCKET_COUNT = 30;

/**
 * The buckets `tf.summary.histogram` (TensorBoard's histogram plugin, summary_v2) computes for
 * `data`: a row-major `[bucketCount, 3]` array of `(left edge, right edge, count)`, in float64.
 *
 * - Buckets split `[min, max]` into `bucketCount` equal widths; a value goes to
 *   `floor((x - min) / width)`, the maximum (and anything rounding past the end) to the last one.
 *   Edges are `min + width * i`, the last one exactly `max`.
 * - All values equal: every edge is that value and the last bucket holds every count.
 * - No data: `bucketCount` rows of zeros.
 */
export function histogramBuckets(data: ArrayLike<number>, bucketCount = DEFAULT_BUCKET_COUNT): Float64Array {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new ValueError(`histogramBuckets: bucketCount must be a positive integer, got ${bucketCount}.`);
  }
  const k = bucketCount;
  const out = new Float64Array(k * 3);
  const n = data.length;
  if (n === 0) return out;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = data[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const range = max - min;
  if (range === 0) {
    for (let b = 0; b < k; b++) {
      out[b * 3] = max;
      out[b * 3 + 1] = max;
    }
    out[(k - 1) * 3 + 2] = n;
    return out;
  }
  const width = range / k;
  for (let i = 0; i < n; i++) {
    // TensorFlow casts the floored offset to int32 before clamping; offsets are >= 0 here.
    const index = Math.min(Math.floor((data[i]! - min) / width), k - 1);
    out[index * 3 + 2] = out[index * 3 + 2]! + 1;
  }
  for (let b = 0; b < k; b++) {
    out[b * 3] = b === 0 ? min : min + width * b;
    out[b * 3 + 1] = b === k - 1 ? max : min + width * (b + 1);
  }
  return out;
}
