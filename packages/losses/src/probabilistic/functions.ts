import { type Tensor, type TensorLike, ValueError, convertToTensor, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';

export interface CrossentropyOptions {
  /** `yPred` holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Label smoothing in [0, 1]. Default 0. */
  labelSmoothing?: number;
  /** The class axis. Default -1. */
  axis?: number;
}

export interface SparseCrossentropyOptions {
  fromLogits?: boolean;
  /** A label whose entries are ignored (loss 0, and masked out of the mean). Default null. */
  ignoreClass?: number | null;
  axis?: number;
}

function options<O>(o: O | boolean | undefined): O {
  if (typeof o === 'boolean') return { fromLogits: o } as O;
  return o ?? ({} as O);
}

function checkAxis(axis: unknown): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ValueError(`\`axis\` must be of type \`int\`. Received: axis=${String(axis)}`);
  }
  return axis;
}

/**
 * keras.losses.binary_crossentropy: the elementwise binary crossentropy averaged over `axis`
 * (probabilities are clipped to [eps, 1 - eps]; logits use the stable sigmoid form). Label
 * smoothing squeezes the labels towards 0.5. The third argument may be `fromLogits` alone.
 */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts?: CrossentropyOptions | boolean): Tensor {
  const { fromLogits = false, labelSmoothing = 0, axis = -1 } = options<CrossentropyOptions>(opts);
  checkAxis(axis);
  return tidy(() => {
    const yp = convertToTensor(yPred);
    let yt = ops.cast(convertToTensor(yTrue), yp.dtype);
    if (labelSmoothing) yt = ops.add(ops.multiply(yt, 1 - labelSmoothing), 0.5 * labelSmoothing);
    return ops.mean(ops.binaryCrossentropy(yt, yp, fromLogits), axis);
  });
}

/**
 * keras.losses.categorical_crossentropy: `-sum(yTrue * log(p), axis)` with one-hot `yTrue`, where
 * probabilities are first normalised to sum to 1 and clipped to [eps, 1 - eps] (logits go through
 * log-softmax). Label smoothing: `yTrue * (1 - s) + s / numClasses`.
 */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts?: CrossentropyOptions | boolean): Tensor {
  const { fromLogits = false, labelSmoothing = 0, axis = -1 } = options<CrossentropyOptions>(opts);
  checkAxis(axis);
  return tidy(() => {
    const yp = convertToTensor(yPred);
    let yt = ops.cast(convertToTensor(yTrue), yp.dtype);
    if (yp.shape[yp.rank - 1] === 1) {
      console.warn(
        `In loss categorical_crossentropy, expected yPred.shape to be (batchSize, numClasses) with numClasses > 1. ` +
          `Received: yPred.shape=[${yp.shape}]. Consider using 'binary_crossentropy' if you only have 2 classes.`,
      );
    }
    if (labelSmoothing) {
      const numClasses = yt.shape[yt.rank - 1]!;
      yt = ops.add(ops.multiply(yt, 1 - labelSmoothing), labelSmoothing / numClasses);
    }
    return ops.categoricalCrossentropy(yt, yp, fromLogits, axis);
  });
}

/**
 * keras.losses.sparse_categorical_crossentropy: categorical crossentropy with integer labels
 * (`yTrue` of shape `(N,)` or `(N, 1)`). With `ignoreClass`, those entries get loss 0.
 */
export function sparseCategoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  opts?: SparseCrossentropyOptions | boolean,
): Tensor {
  const { fromLogits = false, ignoreClass = null, axis = -1 } = options<SparseCrossentropyOptions>(opts);
  checkAxis(axis);
  return tidy(() => {
    let yp = convertToTensor(yPred);
    let yt = convertToTensor(yTrue);
    if (yt.rank === yp.rank && yt.shape[yt.rank - 1] === 1) yt = ops.squeeze(yt, yt.rank - 1);
    let valid: Tensor | null = null;
    if (ignoreClass != null) {
      valid = ops.notEqual(ops.cast(yt, yp.dtype), ignoreClass);
      yt = ops.multiply(yt, ops.cast(valid, yt.dtype));
      yp = ops.multiply(yp, ops.cast(ops.expandDims(valid, -1), yp.dtype));
    }
    const res = ops.sparseCategoricalCrossentropy(yt, yp, fromLogits, axis);
    if (valid == null) return res;
    return ops.where(ops.reshape(valid, res.shape), res, 0);
  });
}

/** The valid-entry mask `ignoreClass` implies for `sparseCategoricalCrossentropy`'s output. */
export function sparseCategoricalMask(yTrue: Tensor, yPred: Tensor, ignoreClass: number): Tensor {
  let yt = yTrue;
  if (yt.rank === yPred.rank && yt.shape[yt.rank - 1] === 1) yt = ops.squeeze(yt, yt.rank - 1);
  return ops.reshape(ops.notEqual(ops.cast(yt, yPred.dtype), ignoreClass), yPred.shape.slice(0, -1));
}

registerLossFunction('binary_crossentropy', binaryCrossentropy);
registerLossFunction('categorical_crossentropy', categoricalCrossentropy);
registerLossFunction('sparse_categorical_crossentropy', sparseCategoricalCrossentropy);
