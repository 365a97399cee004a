import { type Tensor, type TensorLike, ValueError, convertToTensor, epsilon, formatShape, ops, tidy } from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';
import { registerMetricFunction } from '../reduction/mean-metric-wrapper';

export interface CorrelationOptions {
  /** Axis or axes along which the coefficient is computed. Default -1. */
  axis?: number | number[];
}

/** The `axis` option, checked: an integer or a non-empty list of integers. */
export function correlationAxis(options: CorrelationOptions | number | number[], where: string): number | number[] {
  const axis = typeof options === 'number' || Array.isArray(options) ? options : (options.axis ?? -1);
  const axes = Array.isArray(axis) ? axis : [axis];
  if (axes.length === 0 || !axes.every((a) => Number.isInteger(a))) {
    throw new ValueError(`${where}: \`axis\` must be an integer or a non-empty list of integers. Received: axis=${JSON.stringify(axis)}`);
  }
  return axis;
}

/** Same dtype, same rank (Keras' squeeze_or_expand_to_same_rank) and axes inside that rank. */
function prepare(yTrue: TensorLike, yPred: TensorLike, axis: number | number[], where: string): [Tensor, Tensor] {
  const yp0 = convertToTensor(yPred);
  const [yt, yp] = squeezeOrExpandToSameRank(convertToTensor(yTrue, yp0.dtype), yp0);
  for (const a of Array.isArray(axis) ? axis : [axis]) {
    if (a < -yp.rank || a >= yp.rank) {
      throw new ValueError(`${where}: axis ${a} is out of range for inputs of shape ${formatShape(yp.shape)}.`);
    }
  }
  return [yt, yp];
}

/**
 * keras.metrics.pearson_correlation_coefficient: the Pearson correlation of `yTrue` and `yPred`
 * along `axis`, `mean(z(yTrue) * z(yPred))` with population standard deviations (no epsilon, so a
 * constant slice gives NaN, as in Keras).
 */
export function pearsonCorrelationCoefficient(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CorrelationOptions | number | number[] = {},
): Tensor {
  const axis = correlationAxis(options, 'pearson_correlation_coefficient');
  return tidy(() => {
    const [yt, yp] = prepare(yTrue, yPred, axis, 'pearson_correlation_coefficient');
    let tNorm = ops.subtract(yt, ops.mean(yt, axis, true));
    let pNorm = ops.subtract(yp, ops.mean(yp, axis, true));
    tNorm = ops.divide(tNorm, ops.std(tNorm, axis, true));
    pNorm = ops.divide(pNorm, ops.std(pNorm, axis, true));
    return ops.mean(ops.multiply(tNorm, pNorm), axis);
  });
}

/**
 * keras.metrics.concordance_correlation_coefficient: Lin's concordance along `axis`,
 * `mean(2 * (yTrue - mean(yTrue)) * (yPred - mean(yPred)) / (var(yTrue) + var(yPred) +
 * (mean(yTrue) - mean(yPred))^2 + epsilon))` with population variances.
 */
export function concordanceCorrelationCoefficient(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CorrelationOptions | number | number[] = {},
): Tensor {
  const axis = correlationAxis(options, 'concordance_correlation_coefficient');
  return tidy(() => {
    const [yt, yp] = prepare(yTrue, yPred, axis, 'concordance_correlation_coefficient');
    const tMean = ops.mean(yt, axis, true);
    const pMean = ops.mean(yp, axis, true);
    const tVar = ops.variance(ops.subtract(yt, tMean), axis, true);
    const pVar = ops.variance(ops.subtract(yp, pMean), axis, true);
    // Keras centres yTrue on mean(yPred) here; since the yPred deviations sum to zero along the axis,
    // the mean of the product is the same covariance either way, so the textbook form is used.
    const covar = ops.multiply(ops.subtract(yt, tMean), ops.subtract(yp, pMean));
    const norm = ops.add(ops.add(tVar, pVar), ops.square(ops.subtract(tMean, pMean)));
    return ops.mean(ops.divide(ops.multiply(covar, 2), ops.add(norm, epsilon())), axis);
  });
}

registerMetricFunction('pearson_correlation_coefficient', pearsonCorrelationCoefficient);
registerMetricFunction('concordance_correlation_coefficient', concordanceCorrelationCoefficient);
