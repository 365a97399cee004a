import { type Tensor, type TensorLike, ValueError, convertToTensor, ops, tidy } from '@strata/core';

/**
 * `keras.utils.to_categorical`: integer class labels to one-hot rows (float32). `numClasses`
 * defaults to max(label) + 1.
 */
export function toCategorical(y: TensorLike, numClasses?: number): Tensor {
  return tidy(() => {
    const labels = convertToTensor(y, 'int32');
    const flat = ops.reshape(labels, [-1]);
    const values = flat.dataSync();
    let max = -1;
    for (const v of values) {
      if (v < 0) throw new ValueError(`toCategorical: labels must be >= 0, got ${v}.`);
      max = Math.max(max, v);
    }
    const n = numClasses ?? max + 1;
    if (max >= n) throw new ValueError(`toCategorical: label ${max} is out of range for numClasses=${n}.`);
    // A trailing axis of size 1 is replaced by the classes, as in Keras.
    const shape = labels.rank > 1 && labels.shape[labels.rank - 1] === 1 ? labels.shape.slice(0, -1) : labels.shape;
    return ops.reshape(ops.oneHot(flat, n), [...shape, n]);
  });
}

// Keras' dataset utilities (keras.utils.*) live in @strata/data.
export {
  padSequences,
  normalize,
  splitDataset,
  timeseriesDatasetFromArray,
  imageDatasetFromDirectory,
  textDatasetFromDirectory,
} from '@strata/data';
