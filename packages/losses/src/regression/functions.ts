import { type Tensor, type TensorLike, convertToTensor, ops, tidy } from '@strata/core';
import { registerLossFunction } from '../loss-function-wrapper';
import { squeezeOrExpandToSameRank } from '../reduction';

function prepare(yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const yp = convertToTensor(yPred);
  const yt = convertToTensor(yTrue, yp.dtype);
  return squeezeOrExpandToSameRank(yt, yp);
}

/** keras.losses.mean_squared_error: `mean(square(yTrue - yPred), axis=-1)` per sample. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare(yTrue, yPred);
    return ops.mean(ops.square(ops.subtract(yt, yp)), -1);
  });
}

/** keras.losses.mean_absolute_error: `mean(abs(yTrue - yPred), axis=-1)` per sample. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return tidy(() => {
    const [yt, yp] = prepare(yTrue, yPred);
    return ops.mean(ops.abs(ops.subtract(yt, yp)), -1);
  });
}

registerLossFunction('mean_squared_error', meanSquaredError);
registerLossFunction('mean_absolute_error', meanAbsoluteError);
