import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { meanAbsolutePercentageError } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('mean_absolute_percentage_error', meanAbsolutePercentageError, true);

/** keras.metrics.MeanAbsolutePercentageError: the mean of `100 * mean(abs((yTrue - yPred) / yTrue), axis=-1)`. */
export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(meanAbsolutePercentageError, { ...args, name: args.name ?? 'mean_absolute_percentage_error' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', MeanAbsolutePercentageError, { module: 'keras.metrics', className: 'MeanAbsolutePercentageError' });
registerIdentifier('metric', ['mean_absolute_percentage_error', 'mape', 'MAPE', 'MeanAbsolutePercentageError'], () => new MeanAbsolutePercentageError());
