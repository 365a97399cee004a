import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { type CorrelationOptions, correlationAxis, concordanceCorrelationCoefficient } from './functions';
import type { CorrelationMetricArgs } from './pearson-correlation';

/**
 * keras.metrics.ConcordanceCorrelationCoefficient: the mean over samples of Lin's concordance
 * correlation of `yTrue` and `yPred` along `axis`, which rewards both correlation and closeness
 * to the line `yPred = yTrue` (1: perfect agreement).
 */
export class ConcordanceCorrelationCoefficient extends MeanMetricWrapper<CorrelationOptions> {
  readonly axis: number | number[];

  constructor(args: CorrelationMetricArgs = {}) {
    const { axis = -1, ...base } = args;
    correlationAxis(axis, 'ConcordanceCorrelationCoefficient');
    super(concordanceCorrelationCoefficient, {
      ...base,
      name: base.name ?? 'concordance_correlation_coefficient',
      fnOptions: { axis },
    });
    this.axis = axis;
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, axis: this.axis };
  }
}

registerClass('metric', ConcordanceCorrelationCoefficient, {
  module: 'keras.metrics',
  className: 'ConcordanceCorrelationCoefficient',
});
registerIdentifier(
  'metric',
  ['concordance_correlation_coefficient', 'ConcordanceCorrelationCoefficient'],
  () => new ConcordanceCorrelationCoefficient(),
);
