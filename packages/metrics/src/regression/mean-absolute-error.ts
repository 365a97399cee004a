import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { meanAbsoluteError } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('mean_absolute_error', meanAbsoluteError, true);

/** keras.metrics.MeanAbsoluteError: the mean of `mean(abs(yTrue - yPred), axis=-1)`. */
export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(meanAbsoluteError, { ...args, name: args.name ?? 'mean_absolute_error' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', MeanAbsoluteError, { module: 'keras.metrics', className: 'MeanAbsoluteError' });
registerIdentifier('metric', ['mean_absolute_error', 'mae', 'MAE', 'MeanAbsoluteError'], () => new MeanAbsoluteError());
