import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { meanSquaredLogarithmicError } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('mean_squared_logarithmic_error', meanSquaredLogarithmicError, true);

/** keras.metrics.MeanSquaredLogarithmicError: the mean of `mean(square(log(yTrue + 1) - log(yPred + 1)), axis=-1)`. */
export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(meanSquaredLogarithmicError, { ...args, name: args.name ?? 'mean_squared_logarithmic_error' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', MeanSquaredLogarithmicError, { module: 'keras.metrics', className: 'MeanSquaredLogarithmicError' });
registerIdentifier('metric', ['mean_squared_logarithmic_error', 'msle', 'MSLE', 'MeanSquaredLogarithmicError'], () => new MeanSquaredLogarithmicError());
