import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { squaredHinge } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('squared_hinge', squaredHinge, true);

/** keras.metrics.SquaredHinge: the mean squared hinge loss (0/1 labels become -1/1). */
export class SquaredHinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(squaredHinge, { ...args, name: args.name ?? 'squared_hinge' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', SquaredHinge, { module: 'keras.metrics', className: 'SquaredHinge' });
registerIdentifier('metric', ['squared_hinge', 'SquaredHinge'], () => new SquaredHinge());
