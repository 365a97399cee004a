import { type Config, ValueError, registerClass, registerIdentifier } from '@strata/core';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper } from '../reduction/mean-metric-wrapper';
import { type BinaryAccuracyOptions, binaryAccuracy } from './functions';

export interface BinaryAccuracyArgs extends MetricArgs {
  /** Predictions above this count as 1; in (0, 1). Default 0.5. */
  threshold?: number;
}

/** keras.metrics.BinaryAccuracy: how often `yPred > threshold` matches binary `yTrue`. */
export class BinaryAccuracy extends MeanMetricWrapper<BinaryAccuracyOptions> {
  readonly threshold: number;

  constructor(args: BinaryAccuracyArgs = {}) {
    const { threshold = 0.5, ...base } = args;
    if (threshold <= 0 || threshold >= 1) {
      throw new ValueError(`Invalid value for argument \`threshold\`. Expected a value in interval (0, 1). Received: threshold=${threshold}`);
    }
    super(binaryAccuracy, { ...base, name: base.name ?? 'binary_accuracy', fnOptions: { threshold } });
    this.threshold = threshold;
    this.direction = 'up';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, threshold: this.threshold };
  }
}

registerClass('metric', BinaryAccuracy, { module: 'keras.metrics', className: 'BinaryAccuracy' });
registerIdentifier('metric', ['binary_accuracy', 'BinaryAccuracy'], () => new BinaryAccuracy());
