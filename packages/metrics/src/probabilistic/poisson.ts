import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { poisson } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('poisson', poisson, true);

/** keras.metrics.Poisson: the mean of `mean(yPred - yTrue * log(yPred + eps), axis=-1)`. */
export class Poisson extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(poisson, { ...args, name: args.name ?? 'poisson' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', Poisson, { module: 'keras.metrics', className: 'Poisson' });
registerIdentifier('metric', ['poisson', 'Poisson'], () => new Poisson());
