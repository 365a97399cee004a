import { type Tensor, type TensorLike, convertToTensor, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';
import { assertBroadcastable } from '../shapes';

/**
 * Keras' `convert_binary_labels_to_hinge`: when every label is 0 or 1 the labels become -1/1
 * (`2 * y - 1`); otherwise they are used as they are. Decided on the device (no read-back).
 */
export function convertBinaryLabelsToHinge(yTrue: Tensor): Tensor {
  return tidy(() => {
    const isBinary = ops.all(ops.logicalOr(ops.equal(yTrue, 0), ops.equal(yTrue, 1)));
    return ops.where(isBinary, ops.subtract(ops.multiply(yTrue, 2), 1), yTrue);
  });
}

function prepare(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const yp = convertToTensor(yPred);
  const yt = ops.cast(convertToTensor(yTrue), yp.dtype);
  assertBroadcastable(name, yt, yp);
  return [yt, yp];
}

/**
 * keras.losses.hinge: `mean(maximum(1 - yTrue * yPred, 0), axis=-1)`, with 0/1 labels converted to
 * -1/1 first.
 */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('hinge', yTrue, yPred);
    const t = convertBinaryLabelsToHinge(yt);
    return ops.mean(ops.maximum(ops.subtract(1, ops.multiply(t, yp)), 0), -1);
  });
}

/**
 * keras.losses.squared_hinge: `mean(square(maximum(1 - yTrue * yPred, 0)), axis=-1)`, with 0/1
 * labels converted to -1/1 first.
 */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('squared_hinge', yTrue, yPred);
    const t = convertBinaryLabelsToHinge(yt);
    return ops.mean(ops.square(ops.maximum(ops.subtract(1, ops.multiply(t, yp)), 0)), -1);
  });
}

/**
 * keras.losses.categorical_hinge: `maximum(neg - pos + 1, 0)` with `pos = sum(yTrue * yPred)` and
 * `neg = max((1 - yTrue) * yPred)` over the last axis (one-hot labels; no label conversion).
 */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare('categorical_hinge', yTrue, yPred);
    const pos = ops.sum(ops.multiply(yt, yp), -1);
    const neg = ops.max(ops.multiply(ops.subtract(1, yt), yp), -1);
    return ops.maximum(ops.add(ops.subtract(neg, pos), 1), 0);
  });
}

registerLossFunction('hinge', hinge);
registerLossFunction('squared_hinge', squaredHinge);
registerLossFunction('categorical_hinge', categoricalHinge);
