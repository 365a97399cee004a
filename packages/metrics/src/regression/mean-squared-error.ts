import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { meanSquaredError } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('mean_squared_error', meanSquaredError, true);

/** keras.metrics.MeanSquaredError: the mean of `mean(square(yTrue - yPred), axis=-1)`. */
export class MeanSquaredError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(meanSquaredError, { ...args, name: args.name ?? 'mean_squared_error' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', MeanSquaredError, { module: 'keras.metrics', className: 'MeanSquaredError' });
registerIdentifier('metric', ['mean_squared_error', 'mse', 'MSE', 'MeanSquaredError'], () => new MeanSquaredError());
