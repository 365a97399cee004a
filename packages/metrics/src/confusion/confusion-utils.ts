import {
  type Tensor,
  type TensorLike,
  ValueError,
  type Variable,
  convertToTensor,
  epsilon,
  formatShape,
  ops,
} from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';

/** Keras' `NEG_INF`: the default threshold with `top_k`, and the value given to filtered-out predictions. */
export const NEG_INF = -1e10;

/** Keras' `assert_thresholds_range` + `parse_init_thresholds`: a list of thresholds in [0, 1]. */
export function parseInitThresholds(
  className: string,
  thresholds: number | readonly number[] | null | undefined,
  defaultThreshold = 0.5,
): number[] {
  if (thresholds == null) return [defaultThreshold];
  const list = typeof thresholds === 'number' ? [thresholds] : [...thresholds];
  const invalid = list.filter((t) => typeof t !== 'number' || Number.isNaN(t) || t < 0 || t > 1);
  if (invalid.length > 0) {
    throw new ValueError(`${className}: threshold values must be in [0, 1]. Received: thresholds=[${list.join(', ')}] (invalid: ${invalid.join(', ')})`);
  }
  if (list.length === 0) throw new ValueError(`${className}: \`thresholds\` must not be empty.`);
  return list;
}

/**
 * Keras' `is_evenly_distributed_thresholds`: at least 3 thresholds equal to `i / (n - 1)` within
 * numpy's `allclose(atol=epsilon, rtol=1e-5)`. Keras then takes its bucketed update path, whose
 * results (clipping to [0, 1], bucket rounding) `updateConfusionMatrixVariables` reproduces.
 */
export function isEvenlyDistributedThresholds(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  return thresholds.every((t, i) => {
    const even = Math.fround(Math.fround(i) / Math.fround(n - 1));
    return Math.abs(t - even) <= epsilon() + 1e-5 * Math.abs(even);
  });
}

/** Throws unless `from` broadcasts to `to` (numpy rules, `from` of rank <= `to`). */
export function checkBroadcastable(className: string, what: string, from: readonly number[], to: readonly number[], toWhat: string): void {
  const ok =
    from.length <= to.length &&
    from.every((d, i) => {
      const t = to[to.length - from.length + i]!;
      return d === 1 || d === t;
    });
  if (!ok) {
    throw new ValueError(`${className}: ${what} of shape ${formatShape(from)} cannot be broadcast to ${toWhat} of shape ${formatShape(to)}.`);
  }
}

/**
 * Keras' `_filter_top_k`: keeps the `k` largest values of the last axis and sets the others to
 * `NEG_INF`. Call inside `tidy`.
 */
export function filterTopK(x: Tensor, k: number): Tensor {
  const n = x.shape[x.rank - 1]!;
  const { indices } = ops.topK(x, Math.min(k, n));
  const mask = ops.sum(ops.oneHot(indices, n), -2);
  return ops.add(ops.multiply(x, mask), ops.multiply(NEG_INF, ops.subtract(1, mask)));
}

export interface ConfusionVariables {
  tp?: Variable;
  fp?: Variable;
  tn?: Variable;
  fn?: Variable;
}

export interface ConfusionUpdateOptions {
  thresholds: readonly number[];
  /** Keras' `thresholds_distributed_evenly` (its bucketed path). */
  thresholdsDistributedEvenly: boolean;
  topK?: number | null;
  classId?: number | null;
  sampleWeight?: TensorLike | null;
  multiLabel?: boolean;
  /** Per-label weights (last axis of `yPred`), only when not `multiLabel`. */
  labelWeights?: Tensor | null;
}

/**
 * Keras' `update_confusion_matrix_variables`: adds the (weighted) counts of
 *   tp: label and pred > t,  fp: !label and pred > t,  fn: label and pred <= t,  tn: !label and pred <= t
 * at every threshold t to the given variables, entirely on the device. The counts have shape
 * `[numThresholds]`, or `[numThresholds, numLabels]` with `multiLabel`. Call inside `tidy`.
 *
 * With evenly distributed thresholds Keras counts by bucket instead (`ceil(p * (n - 1)) - 1`, `p`
 * clipped to [0, 1], the bucket floored at 0 when the end thresholds carry an epsilon): the same
 * comparison is made here on that bucket index so that the counts match Keras' exactly, rounding
 * included.
 */
export function updateConfusionMatrixVariables(
  className: string,
  variables: ConfusionVariables,
  yTrue: TensorLike,
  yPred: TensorLike,
  options: ConfusionUpdateOptions,
): void {
  const first = variables.tp ?? variables.fp ?? variables.tn ?? variables.fn;
  if (first == null) throw new ValueError(`${className}: no confusion matrix variable to update.`);
  const dtype = first.dtype;
  const multiLabel = options.multiLabel ?? false;
  let yt = ops.cast(convertToTensor(yTrue), dtype);
  let yp = ops.cast(convertToTensor(yPred), dtype);
  [yp, yt] = squeezeOrExpandToSameRank(yp, yt);
  if (yt.shape.length !== yp.shape.length || yt.shape.some((d, i) => d !== yp.shape[i])) {
    throw new ValueError(
      `${className}: y_true and y_pred must have the same shape. Received: y_true.shape=${formatShape(yt.shape)}, y_pred.shape=${formatShape(yp.shape)}`,
    );
  }
  let sw: Tensor | null = null;
  if (options.sampleWeight != null) {
    sw = ops.expandDims(ops.cast(convertToTensor(options.sampleWeight), dtype), -1);
    [, sw] = squeezeOrExpandToSameRank(yt, sw, false);
  }
  if (options.topK != null) yp = filterTopK(yp, options.topK);
  if (options.classId != null) {
    if (yp.rank === 1) {
      throw new ValueError(
        `${className}: when class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes). Received: y_pred.shape=${formatShape(yp.shape)}`,
      );
    }
    const numClasses = yp.shape[yp.rank - 1]!;
    if (options.classId >= numClasses) {
      throw new ValueError(`${className}: class_id=${options.classId} is out of range for y_pred.shape=${formatShape(yp.shape)} (num_classes=${numClasses}).`);
    }
    // Keep the class axis (size 1) so the sample weights still line up.
    const begin = yp.shape.map((_, i) => (i === yp.rank - 1 ? options.classId! : 0));
    const size = yp.shape.map((d, i) => (i === yp.rank - 1 ? 1 : d));
    yt = ops.slice(yt, begin, size);
    yp = ops.slice(yp, begin, size);
  }
  if (multiLabel && yp.rank !== 2) {
    throw new ValueError(`${className}: y_pred must have rank 2 when multi_label=True. Received: y_pred.shape=${formatShape(yp.shape)}`);
  }

  let weights: Tensor | null = null;
  if (sw != null) {
    checkBroadcastable(className, 'sample_weight', sw.shape, yp.shape, 'y_pred');
    weights = ops.broadcastTo(sw, yp.shape);
  }
  if (options.labelWeights != null && !multiLabel) {
    const lw = ops.expandDims(ops.cast(options.labelWeights, dtype), 0);
    checkBroadcastable(className, 'label_weights', lw.shape, yp.shape, 'y_pred');
    const b = ops.broadcastTo(lw, yp.shape);
    weights = weights == null ? b : ops.multiply(weights, b);
  }

  const thresholds = options.thresholds;
  const n = thresholds.length;
  // Shapes: data [1, M] (flattened) or [1, N, L] (multi-label); thresholds [n, 1] or [n, 1, 1].
  const flat = (x: Tensor) => (multiLabel ? ops.expandDims(x, 0) : ops.reshape(x, [1, -1]));
  const threshShape = multiLabel ? [n, 1, 1] : [n, 1];
  let predIsPos: Tensor;
  if (options.thresholdsDistributedEvenly) {
    const withEpsilon = thresholds[0]! < 0 || thresholds[n - 1]! > 1;
    let bucket = ops.subtract(ops.ceil(ops.multiply(ops.clip(yp, 0, 1), ops.cast(convertToTensor(n - 1), dtype))), 1);
    if (withEpsilon) bucket = ops.relu(bucket);
    const index = ops.reshape(ops.arange(0, n, 1, dtype), threshShape);
    predIsPos = ops.cast(ops.greaterEqual(flat(bucket), index), dtype);
  } else {
    const t = ops.reshape(convertToTensor(thresholds as number[], dtype), threshShape);
    predIsPos = ops.cast(ops.greater(flat(yp), t), dtype);
  }
  const labelIsPos = flat(ops.cast(ops.cast(yt, 'bool'), dtype));
  const w = weights == null ? null : flat(weights);
  const count = (label: Tensor, pred: Tensor) => {
    let x = ops.multiply(label, pred);
    if (w != null) x = ops.multiply(x, w);
    return ops.sum(x, 1);
  };
  const predIsNeg = ops.subtract(1, predIsPos);
  const labelIsNeg = ops.subtract(1, labelIsPos);
  if (variables.tp) variables.tp.assignAdd(count(labelIsPos, predIsPos));
  if (variables.fp) variables.fp.assignAdd(count(labelIsNeg, predIsPos));
  if (variables.tn) variables.tn.assignAdd(count(labelIsNeg, predIsNeg));
  if (variables.fn) variables.fn.assignAdd(count(labelIsPos, predIsNeg));
}

/** `true_positives / (true_positives + other)` with 0 where the sum is 0 (Keras' `divide_no_nan`). */
export function ratio(a: Tensor, b: Tensor): Tensor {
  return ops.divideNoNan(a, ops.add(a, b));
}

/** The first element of a `[1]` result, or the vector (Keras returns `result[0]` for one threshold). */
export function scalarIfSingle(x: Tensor): Tensor {
  return x.shape[0] === 1 ? ops.reshape(x, []) : x;
}

/** Validates an optional non-negative integer argument. */
export function checkOptionalIndex(className: string, name: string, value: number | null | undefined, min = 0): void {
  if (value == null) return;
  if (!Number.isInteger(value) || value < min) {
    throw new ValueError(`${className}: \`${name}\` must be an integer >= ${min}. Received: ${name}=${value}`);
  }
}
