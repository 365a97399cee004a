import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { type TopKOptions, checkTopK, topKCategoricalAccuracy } from './top-k-functions';

export interface TopKCategoricalAccuracyArgs extends MetricArgs {
  /** How many of the top predictions count as a hit. Default 5. */
  k?: number;
}

/** keras.metrics.TopKCategoricalAccuracy: how often the class of one-hot `yTrue` is among the top `k` predictions. */
export class TopKCategoricalAccuracy extends MeanMetricWrapper<TopKOptions> {
  readonly k: number;

  constructor(args: TopKCategoricalAccuracyArgs = {}) {
    const { k = 5, ...base } = args;
    checkTopK(k, 'TopKCategoricalAccuracy');
    super(topKCategoricalAccuracy, { ...base, name: base.name ?? 'top_k_categorical_accuracy', fnOptions: { k } });
    this.k = k;
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, k: this.k };
  }
}

registerClass('metric', TopKCategoricalAccuracy, { module: 'keras.metrics', className: 'TopKCategoricalAccuracy' });
registerIdentifier(
  'metric',
  ['top_k_categorical_accuracy', 'TopKCategoricalAccuracy'],
  () => new TopKCategoricalAccuracy(),
);
