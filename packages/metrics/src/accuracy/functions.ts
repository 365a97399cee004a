import { type Tensor, type TensorLike, convertToTensor, ops, tidy } from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';
import { registerMetricFunction } from '../reduction/mean-metric-wrapper';

/** keras.metrics.accuracy: 1 where `yTrue == yPred` exactly, else 0. */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const yp = convertToTensor(yPred);
    const [t, p] = squeezeOrExpandToSameRank(ops.cast(convertToTensor(yTrue), yp.dtype), yp);
    return ops.cast(ops.equal(t, p), 'float32');
  });
}

export interface BinaryAccuracyOptions {
  /** Predictions above this count as 1. Default 0.5. */
  threshold?: number;
}

/** keras.metrics.binary_accuracy: 1 where `yTrue == (yPred > threshold)`, else 0. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, options: BinaryAccuracyOptions | number = {}): Tensor {
  const threshold = typeof options === 'number' ? options : (options.threshold ?? 0.5);
  return tidy(() => {
    const yp0 = convertToTensor(yPred);
    const [t, p] = squeezeOrExpandToSameRank(ops.cast(convertToTensor(yTrue), yp0.dtype), yp0);
    const predicted = ops.cast(ops.greater(p, threshold), t.dtype);
    return ops.cast(ops.equal(t, predicted), 'float32');
  });
}

/** keras.metrics.categorical_accuracy: 1 where `argmax(yTrue) == argmax(yPred)` (one-hot labels). */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const yp = convertToTensor(yPred);
    let yt = ops.cast(ops.argmax(convertToTensor(yTrue), -1), yp.dtype);
    const originalShape = yt.shape;
    let reshape = false;
    if (yt.rank === yp.rank) {
      yt = ops.squeeze(yt, yt.rank - 1);
      reshape = true;
    }
    const predicted = ops.cast(ops.argmax(yp, -1), yt.dtype);
    let matches = ops.cast(ops.equal(yt, predicted), 'float32');
    if (reshape) matches = ops.reshape(matches, originalShape);
    return matches;
  });
}

/**
 * keras.metrics.sparse_categorical_accuracy: 1 where `yTrue == argmax(yPred)` (integer labels of
 * shape `(N,)` or `(N, 1)`).
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const yp = convertToTensor(yPred);
    let yt = ops.cast(convertToTensor(yTrue), yp.dtype);
    const originalShape = yt.shape;
    let reshape = false;
    if (yt.rank === yp.rank && yt.shape[yt.rank - 1] === 1) {
      yt = ops.squeeze(yt, yt.rank - 1);
      reshape = true;
    }
    const predicted = ops.cast(ops.argmax(yp, -1), yt.dtype);
    let matches = ops.cast(ops.equal(yt, predicted), 'float32');
    if (reshape) matches = ops.reshape(matches, originalShape);
    if (matches.rank > 1 && matches.shape[matches.rank - 1] === 1) matches = ops.squeeze(matches, matches.rank - 1);
    return matches;
  });
}

registerMetricFunction('accuracy', accuracy);
registerMetricFunction('binary_accuracy', binaryAccuracy);
registerMetricFunction('categorical_accuracy', categoricalAccuracy);
registerMetricFunction('sparse_categorical_accuracy', sparseCategoricalAccuracy);
