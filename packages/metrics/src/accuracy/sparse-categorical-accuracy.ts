import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { sparseCategoricalAccuracy } from './functions';

/** keras.metrics.SparseCategoricalAccuracy: how often `argmax(yPred)` equals integer `yTrue` ((N,) or (N, 1)). */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(sparseCategoricalAccuracy, { ...args, name: args.name ?? 'sparse_categorical_accuracy' });
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', SparseCategoricalAccuracy, { module: 'keras.metrics', className: 'SparseCategoricalAccuracy' });
registerIdentifier(
  'metric',
  ['sparse_categorical_accuracy', 'SparseCategoricalAccuracy'],
  () => new SparseCategoricalAccuracy(),
);
