import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { categoricalAccuracy } from './functions';

/** keras.metrics.CategoricalAccuracy: how often `argmax(yPred)` matches one-hot `yTrue`. */
export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(categoricalAccuracy, { ...args, name: args.name ?? 'categorical_accuracy' });
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', CategoricalAccuracy, { module: 'keras.metrics', className: 'CategoricalAccuracy' });
registerIdentifier('metric', ['categorical_accuracy', 'CategoricalAccuracy'], () => new CategoricalAccuracy());
