import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { type SparseTopKOptions, checkTopK, sparseTopKCategoricalAccuracy } from './top-k-functions';

export interface SparseTopKCategoricalAccuracyArgs extends MetricArgs {
  /** How many of the top predictions count as a hit. Default 5. */
  k?: number;
  /**
   * When true, `yPred` holds per sample the ids of the top `N >= k` categories sorted from highest
   * to lowest score, instead of a score for every category. Default false.
   */
  fromSortedIds?: boolean;
}

/**
 * keras.metrics.SparseTopKCategoricalAccuracy: how often integer `yTrue` is among the top `k`
 * predictions (or, with `fromSortedIds`, among the first `k` of the sorted ids in `yPred`).
 */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper<SparseTopKOptions> {
  readonly k: number;
  readonly fromSortedIds: boolean;

  constructor(args: SparseTopKCategoricalAccuracyArgs = {}) {
    const { k = 5, fromSortedIds = false, ...base } = args;
    checkTopK(k, 'SparseTopKCategoricalAccuracy');
    super(sparseTopKCategoricalAccuracy, {
      ...base,
      name: base.name ?? 'sparse_top_k_categorical_accuracy',
      fnOptions: { k, fromSortedIds },
    });
    this.k = k;
    this.fromSortedIds = fromSortedIds;
    this.direction = 'up';
  }

  override getConfig(): Config {
    const config: Config = { name: this.name, dtype: this.dtype, k: this.k };
    // Keras writes the key only when it is set, so older configs stay unchanged.
    if (this.fromSortedIds) config['from_sorted_ids'] = true;
    return config;
  }
}

registerClass('metric', SparseTopKCategoricalAccuracy, { module: 'keras.metrics', className: 'SparseTopKCategoricalAccuracy' });
registerIdentifier(
  'metric',
  ['sparse_top_k_categorical_accuracy', 'SparseTopKCategoricalAccuracy'],
  () => new SparseTopKCategoricalAccuracy(),
);
