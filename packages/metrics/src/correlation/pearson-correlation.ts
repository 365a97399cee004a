import { type Config, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { type CorrelationOptions, correlationAxis, pearsonCorrelationCoefficient } from './functions';

export interface CorrelationMetricArgs extends MetricArgs {
  /** Axis or axes along which each coefficient is computed. Default -1. */
  axis?: number | number[];
}

/**
 * keras.metrics.PearsonCorrelationCoefficient: the mean over samples of the Pearson correlation
 * of `yTrue` and `yPred` along `axis` (1: perfect positive, 0: none, -1: perfect negative).
 */
export class PearsonCorrelationCoefficient extends MeanMetricWrapper<CorrelationOptions> {
  readonly axis: number | number[];

  constructor(args: CorrelationMetricArgs = {}) {
    const { axis = -1, ...base } = args;
    correlationAxis(axis, 'PearsonCorrelationCoefficient');
    super(pearsonCorrelationCoefficient, { ...base, name: base.name ?? 'pearson_correlation_coefficient', fnOptions: { axis } });
    this.axis = axis;
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, axis: this.axis };
  }
}

registerClass('metric', PearsonCorrelationCoefficient, { module: 'keras.metrics', className: 'PearsonCorrelationCoefficient' });
registerIdentifier(
  'metric',
  ['pearson_correlation_coefficient', 'PearsonCorrelationCoefficient'],
  () => new PearsonCorrelationCoefficient(),
);
