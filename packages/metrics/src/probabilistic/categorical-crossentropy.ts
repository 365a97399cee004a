import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { type CrossentropyOptions, categoricalCrossentropy } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('categorical_crossentropy', categoricalCrossentropy, true);

export interface CategoricalCrossentropyArgs extends MetricArgs {
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

/** keras.metrics.CategoricalCrossentropy: the mean categorical crossentropy (one-hot labels). */
export class CategoricalCrossentropy extends MeanMetricWrapper<CrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: CategoricalCrossentropyArgs = {}) {
    const { fromLogits = false, labelSmoothing = 0, axis = -1, ...base } = args;
    super(categoricalCrossentropy, {
      ...base,
      name: base.name ?? 'categorical_crossentropy',
      fnOptions: { fromLogits, labelSmoothing, axis },
    });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
    this.direction = 'down';
  }

  override getConfig(): Config {
    return {
      name: this.name,
      dtype: this.dtype,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

registerClass('metric', CategoricalCrossentropy, { module: 'keras.metrics', className: 'CategoricalCrossentropy' });
registerIdentifier('metric', ['categorical_crossentropy', 'CategoricalCrossentropy'], () => new CategoricalCrossentropy());
