import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { accuracy } from './functions';

/** keras.metrics.Accuracy: how often `yPred` equals `yTrue` exactly. */
export class Accuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(accuracy, { ...args, name: args.name ?? 'accuracy' });
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', Accuracy, { module: 'keras.metrics', className: 'Accuracy' });
registerIdentifier('metric', ['accuracy', 'acc', 'Accuracy'], () => new Accuracy());
