import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { hinge } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('hinge', hinge, true);

/** keras.metrics.Hinge: the mean hinge loss (0/1 labels become -1/1). */
export class Hinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(hinge, { ...args, name: args.name ?? 'hinge' });
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', Hinge, { module: 'keras.metrics', className: 'Hinge' });
registerIdentifier('metric', ['hinge', 'Hinge'], () => new Hinge());
