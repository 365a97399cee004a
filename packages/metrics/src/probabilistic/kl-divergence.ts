import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { klDivergence } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('kl_divergence', klDivergence, true);

/** keras.metrics.KLDivergence: the mean of `sum(yTrue * log(yTrue / yPred), axis=-1)` (both clipped to [eps, 1]). */
export class KLDivergence extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(klDivergence, { ...args, name: args.name ?? 'kl_divergence' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', KLDivergence, { module: 'keras.metrics', className: 'KLDivergence' });
registerIdentifier('metric', ['kl_divergence', 'KLDivergence'], () => new KLDivergence());
