import { type Tensor, type TensorLike, ValueError, convertToTensor, epsilon, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';
import { assertBroadcastable } from '../shapes';

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

export interface BinaryFocalCrossentropyOptions extends CrossentropyOptions {
  /** Weigh class 1 by `alpha` and class 0 by `1 - alpha`. Default false. */
  applyClassBalancing?: boolean;
  /** The class-1 weight used with `applyClassBalancing`. Default 0.25. */
  alpha?: number;
  /** The focusing exponent. Default 2. */
  gamma?: number;
}

/**
 * keras.losses.binary_focal_crossentropy: the binary crossentropy scaled by `(1 - p_t)^gamma`, where
 * `p_t = yTrue * p + (1 - yTrue) * (1 - p)` (with `applyClassBalancing`, also by `alpha` for class 1
 * and `1 - alpha` for class 0), averaged over `axis`. Logits go through a sigmoid first; the
 * crossentropy clips probabilities to [eps, 1 - eps], the focal factor uses them unclipped.
 */
export function binaryFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts?: BinaryFocalCrossentropyOptions): Tensor {
  const {
    applyClassBalancing = false,
    alpha = 0.25,
    gamma = 2,
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
  } = opts ?? {};
  checkAxis(axis);
  return tidy(() => {
    let yp = convertToTensor(yPred);
    let yt = ops.cast(convertToTensor(yTrue), yp.dtype);
    assertBroadcastable('binary_focal_crossentropy', yt, yp);
    if (labelSmoothing) yt = ops.add(ops.multiply(yt, 1 - labelSmoothing), 0.5 * labelSmoothing);
    if (fromLogits) yp = ops.sigmoid(yp);
    const bce = ops.binaryCrossentropy(yt, yp, false);
    const pT = ops.add(ops.multiply(yt, yp), ops.multiply(ops.subtract(1, yt), ops.subtract(1, yp)));
    let focal = ops.multiply(ops.power(ops.subtract(1, pT), gamma), bce);
    if (applyClassBalancing) {
      const weight = ops.add(ops.multiply(yt, alpha), ops.multiply(ops.subtract(1, yt), 1 - alpha));
      focal = ops.multiply(weight, focal);
    }
    return ops.mean(focal, axis);
  });
}

export interface CategoricalFocalCrossentropyOptions extends CrossentropyOptions {
  /** A weight for all classes, or one per class. Default 0.25. */
  alpha?: number | number[];
  /** The focusing exponent. Default 2. */
  gamma?: number;
}

/**
 * keras.losses.categorical_focal_crossentropy:
 * `sum(alpha * (1 - p)^gamma * -yTrue * log(p), axis)`, with `p` the predictions normalised to sum
 * to 1 along `axis` and clipped to [eps, 1 - eps] (logits go through a softmax first). Label
 * smoothing as in categoricalCrossentropy.
 */
export function categoricalFocalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  opts?: CategoricalFocalCrossentropyOptions,
): Tensor {
  const { alpha = 0.25, gamma = 2, fromLogits = false, labelSmoothing = 0, axis = -1 } = opts ?? {};
  checkAxis(axis);
  return tidy(() => {
    let yp = convertToTensor(yPred);
    let yt = ops.cast(convertToTensor(yTrue), yp.dtype);
    assertBroadcastable('categorical_focal_crossentropy', yt, yp);
    if (yp.shape[yp.rank - 1] === 1) {
      console.warn(
        `In loss categorical_focal_crossentropy, expected yPred.shape to be (batchSize, numClasses) with numClasses > 1. ` +
          `Received: yPred.shape=[${yp.shape}]. Consider using 'binary_crossentropy' if you only have 2 classes.`,
      );
    }
    if (Array.isArray(alpha)) {
      const classes = yp.shape[axis < 0 ? yp.rank + axis : axis];
      if (alpha.length !== classes || (axis !== -1 && axis !== yp.rank - 1)) {
        throw new ValueError(
          `categorical_focal_crossentropy: a list \`alpha\` needs one weight per class along the last axis. ` +
            `Received: alpha of length ${alpha.length}, y_pred.shape=[${yp.shape.join(', ')}], axis=${axis}`,
        );
      }
    }
    if (labelSmoothing) {
      const numClasses = yt.shape[yt.rank - 1]!;
      yt = ops.add(ops.multiply(yt, 1 - labelSmoothing), labelSmoothing / numClasses);
    }
    if (fromLogits) yp = ops.softmax(yp, axis);
    const eps = epsilon();
    const output = ops.clip(ops.divide(yp, ops.sum(yp, axis, true)), eps, 1 - eps);
    const cce = ops.multiply(ops.negative(yt), ops.log(output));
    const weighting = ops.multiply(ops.power(ops.subtract(1, output), gamma), alpha);
    return ops.sum(ops.multiply(weighting, cce), axis);
  });
}

/**
 * keras.losses.kl_divergence: `sum(yTrue * log(yTrue / yPred), axis=-1)` with both clipped to
 * [eps, 1] (so zero targets contribute ~0 and zero predictions stay finite).
 */
export function klDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const eps = epsilon();
    const raw = convertToTensor(yPred);
    const rawTrue = convertToTensor(yTrue, raw.dtype);
    assertBroadcastable('kl_divergence', rawTrue, raw);
    const yp = ops.clip(raw, eps, 1);
    const yt = ops.clip(rawTrue, eps, 1);
    return ops.sum(ops.multiply(yt, ops.log(ops.divide(yt, yp))), -1);
  });
}

/** keras.losses.poisson: `mean(yPred - yTrue * log(yPred + eps), axis=-1)`. */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const yp = convertToTensor(yPred);
    const yt = convertToTensor(yTrue, yp.dtype);
    assertBroadcastable('poisson', yt, yp);
    return ops.mean(ops.subtract(yp, ops.multiply(yt, ops.log(ops.add(yp, epsilon())))), -1);
  });
}

registerLossFunction('binary_crossentropy', binaryCrossentropy);
registerLossFunction('categorical_crossentropy', categoricalCrossentropy);
registerLossFunction('sparse_categorical_crossentropy', sparseCategoricalCrossentropy);
registerLossFunction('binary_focal_crossentropy', binaryFocalCrossentropy);
registerLossFunction('categorical_focal_crossentropy', categoricalFocalCrossentropy);
registerLossFunction('kl_divergence', klDivergence);
registerLossFunction('poisson', poisson);
