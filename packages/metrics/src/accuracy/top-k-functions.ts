import { type Tensor, type TensorLike, ValueError, convertToTensor, formatShape, ops, tidy } from '@strata/core';
import { registerMetricFunction } from '../reduction/mean-metric-wrapper';

export interface TopKOptions {
  /** How many of the top predictions count as a hit. Default 5. */
  k?: number;
}

export interface SparseTopKOptions extends TopKOptions {
  /**
   * When true, `yPred` holds, per sample, category ids sorted from highest to lowest score
   * (`(batch, N)`), not scores of every category. Default false.
   */
  fromSortedIds?: boolean;
}

/** Checks `k`: a non-negative integer (Keras passes it to `in_top_k`, which needs an int). */
export function checkTopK(k: unknown, where: string): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    throw new ValueError(`${where}: \`k\` must be a non-negative integer. Received: k=${String(k)}`);
  }
  return k;
}

/**
 * `in_top_k` with TensorFlow's documented semantics (Keras' reference backend): target `t` of row
 * `i` is a hit when `pred[i, t]` is finite and fewer than `k` classes score strictly higher. So
 * ties straddling the k-th place all count as hits (the rank-based JAX backend and the `>=`
 * comparison of the torch/numpy backends agree), and a NaN/inf target score or a target outside
 * `[0, numClasses)` is a miss. `targets`: int32 `(n,)`; `predictions`: `(n, numClasses)`. Call
 * inside `tidy`.
 */
function inTopK(targets: Tensor, predictions: Tensor, k: number): Tensor {
  const numClasses = predictions.shape[1]!;
  const preds = predictions.dtype === 'float32' ? predictions : ops.cast(predictions, 'float32');
  // A one-hot row selects the target's score without a gather, so out-of-range ids give an empty
  // row (flagged as invalid below) instead of an engine error or a clamped index.
  const mask = ops.cast(ops.oneHot(targets, numClasses), 'bool');
  const valid = ops.any(mask, -1);
  const targetScore = ops.sum(ops.where(mask, preds, 0), -1, true);
  const higher = ops.sum(ops.cast(ops.greater(preds, targetScore), 'int32'), -1);
  const finite = ops.isfinite(ops.squeeze(targetScore, -1));
  return ops.logicalAnd(ops.logicalAnd(valid, finite), ops.less(higher, k));
}

/**
 * Keras' flattening for the top-k accuracies: predictions to `(-1, lastDim)`, targets to `(-1,)`;
 * the per-sample hits come back in the targets' original shape.
 */
function topKMatches(
  yt: Tensor,
  yp: Tensor,
  name: string,
  hits: (targets: Tensor, predictions: Tensor) => Tensor,
  yTrueShape: readonly number[] = yt.shape,
): Tensor {
  if (yp.rank < 2) {
    throw new ValueError(
      `${name}: \`yPred\` must have rank >= 2 (batch, categories). Received: yPred.shape=${formatShape(yp.shape)}`,
    );
  }
  const originalShape = yt.shape;
  const preds = yp.rank > 2 ? ops.reshape(yp, [-1, yp.shape[yp.rank - 1]!]) : yp;
  const targets = yt.rank === 1 ? yt : ops.reshape(yt, [-1]);
  if (targets.shape[0] !== preds.shape[0]) {
    throw new ValueError(
      `${name}: \`yTrue\` and \`yPred\` hold different numbers of samples. Received: yTrue.shape=${formatShape(yTrueShape)} ` +
        `(targets ${targets.shape[0]}) and yPred.shape=${formatShape(yp.shape)} (rows ${preds.shape[0]}).`,
    );
  }
  const matches = ops.cast(hits(targets, preds), 'float32');
  return yt.rank > 1 ? ops.reshape(matches, originalShape) : matches;
}

/**
 * keras.metrics.top_k_categorical_accuracy: 1 where the class of one-hot `yTrue` (its argmax) is
 * among the `k` highest scores of `yPred` (ties at the k-th place count), else 0.
 */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, options: TopKOptions | number = {}): Tensor {
  const k = checkTopK(typeof options === 'number' ? options : (options.k ?? 5), 'top_k_categorical_accuracy');
  return tidy(() => {
    const yp = convertToTensor(yPred);
    const yt = convertToTensor(yTrue, yp.dtype);
    if (yt.rank < 1) {
      throw new ValueError(`top_k_categorical_accuracy: \`yTrue\` must be one-hot with rank >= 1. Received: yTrue.shape=()`);
    }
    const labels = ops.cast(ops.argmax(yt, -1), 'int32');
    return topKMatches(labels, yp, 'top_k_categorical_accuracy', (t, p) => inTopK(t, p, k), yt.shape);
  });
}

/**
 * keras.metrics.sparse_top_k_categorical_accuracy: 1 where integer `yTrue` is among the `k` highest
 * scores of `yPred`, else 0. Float labels are truncated to int32 as Keras' cast does. With
 * `fromSortedIds`, `yPred` holds sorted category ids and a hit is `yTrue` among its first `k` columns.
 */
export function sparseTopKCategoricalAccuracy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: SparseTopKOptions | number = {},
): Tensor {
  const opts = typeof options === 'number' ? { k: options } : options;
  const k = checkTopK(opts.k ?? 5, 'sparse_top_k_categorical_accuracy');
  const fromSortedIds = opts.fromSortedIds ?? false;
  return tidy(() => {
    const yp = convertToTensor(yPred);
    // Keras: labels become int32 for in_top_k, or the ids' dtype when comparing against sorted ids.
    const yt = convertToTensor(yTrue, fromSortedIds ? yp.dtype : 'int32');
    return topKMatches(yt, yp, 'sparse_top_k_categorical_accuracy', (t, p) => {
      if (!fromSortedIds) return inTopK(t, p, k);
      // The first k ids are the top k (Keras slices `y_pred[:, :k]`, all of them when N < k);
      // `any` counts a repeated id once.
      const cols = Math.min(k, p.shape[1]!);
      const top = ops.slice(p, [0, 0], [p.shape[0]!, cols]);
      return ops.any(ops.equal(ops.expandDims(t, 1), top), 1);
    });
  });
}

registerMetricFunction('top_k_categorical_accuracy', topKCategoricalAccuracy);
registerMetricFunction('sparse_top_k_categorical_accuracy', sparseTopKCategoricalAccuracy);
