import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { type CrossentropyOptions, binaryCrossentropy } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('binary_crossentropy', binaryCrossentropy, true);

export interface BinaryCrossentropyArgs extends MetricArgs {
  fromLogits?: boolean;
  labelSmoothing?: number;
}

/** keras.metrics.BinaryCrossentropy: the mean binary crossentropy (fromLogits false, labelSmoothing 0). */
export class BinaryCrossentropy extends MeanMetricWrapper<CrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor(args: BinaryCrossentropyArgs = {}) {
    const { fromLogits = false, labelSmoothing = 0, ...base } = args;
    super(binaryCrossentropy, { ...base, name: base.name ?? 'binary_crossentropy', fnOptions: { fromLogits, labelSmoothing } });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, from_logits: this.fromLogits, label_smoothing: this.labelSmoothing };
  }
}

registerClass('metric', BinaryCrossentropy, { module: 'keras.metrics', className: 'BinaryCrossentropy' });
registerIdentifier('metric', ['binary_crossentropy', 'bce', 'BCE', 'BinaryCrossentropy'], () => new BinaryCrossentropy());
