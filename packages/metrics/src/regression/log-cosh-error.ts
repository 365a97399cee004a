import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { logCosh } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('log_cosh', logCosh, true);

/** keras.metrics.LogCoshError (named `logcosh`): the mean of `mean(log(cosh(yPred - yTrue)), axis=-1)`. */
export class LogCoshError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(logCosh, { ...args, name: args.name ?? 'logcosh' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', LogCoshError, { module: 'keras.metrics', className: 'LogCoshError' });
registerIdentifier('metric', ['log_cosh_error', 'LogCoshError'], () => new LogCoshError());
