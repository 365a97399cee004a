import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { categoricalHinge } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('categorical_hinge', categoricalHinge, true);

/** keras.metrics.CategoricalHinge: the mean categorical hinge loss of one-hot labels. */
export class CategoricalHinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(categoricalHinge, { ...args, name: args.name ?? 'categorical_hinge' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', CategoricalHinge, { module: 'keras.metrics', className: 'CategoricalHinge' });
registerIdentifier('metric', ['categorical_hinge', 'CategoricalHinge'], () => new CategoricalHinge());
