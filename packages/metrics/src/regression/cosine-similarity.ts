import { type Config, type Tensor, type TensorLike, ValueError, convertToTensor, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { assertBroadcastable, l2Normalize, squeezeOrExpandToSameRank } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

export interface CosineSimilarityOptions {
  /** The feature axis. Default -1. */
  axis?: number;
}

/**
 * The metric form of cosine similarity (Keras' `metrics.regression_metrics.cosine_similarity`):
 * `sum(l2Normalize(yTrue) * l2Normalize(yPred), axis)`, +1 for the same direction. The loss
 * `cosineSimilarity` of @strata/losses is its negative.
 */
export function cosineSimilarityMetric(yTrue: TensorLike, yPred: TensorLike, opts?: CosineSimilarityOptions): Tensor {
  const axis = opts?.axis ?? -1;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ValueError(`\`axis\` must be of type \`int\`. Received: axis=${String(axis)}`);
  }
  return tidy(() => {
    const yp = convertToTensor(yPred);
    const [yt, p] = squeezeOrExpandToSameRank(convertToTensor(yTrue, yp.dtype), yp);
    assertBroadcastable('cosine_similarity', yt, p);
    return ops.sum(ops.multiply(l2Normalize(yt, axis), l2Normalize(p, axis)), axis);
  });
}

registerMetricFunction('cosine_similarity', cosineSimilarityMetric);

export interface CosineSimilarityArgs extends MetricArgs, CosineSimilarityOptions {}

/**
 * keras.metrics.CosineSimilarity (axis -1): the mean cosine similarity between labels and
 * predictions; larger is better.
 */
export class CosineSimilarity extends MeanMetricWrapper<CosineSimilarityOptions> {
  readonly axis: number;

  constructor(args: CosineSimilarityArgs = {}) {
    const { axis = -1, ...base } = args;
    super(cosineSimilarityMetric, { ...base, name: base.name ?? 'cosine_similarity', fnOptions: { axis } });
    this.axis = axis;
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, axis: this.axis };
  }
}

registerClass('metric', CosineSimilarity, { module: 'keras.metrics', className: 'CosineSimilarity' });
registerIdentifier('metric', ['cosine_similarity', 'CosineSimilarity'], () => new CosineSimilarity());
