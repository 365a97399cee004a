import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { type SparseCrossentropyOptions, sparseCategoricalCrossentropy } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { MeanMetricWrapper, registerMetricFunction } from '../reduction/mean-metric-wrapper';

registerMetricFunction('sparse_categorical_crossentropy', sparseCategoricalCrossentropy, true);

export interface SparseCategoricalCrossentropyArgs extends MetricArgs {
  fromLogits?: boolean;
  axis?: number;
}

/** keras.metrics.SparseCategoricalCrossentropy: the mean crossentropy for integer labels. */
export class SparseCategoricalCrossentropy extends MeanMetricWrapper<SparseCrossentropyOptions> {
  readonly fromLogits: boolean;
  readonly axis: number;

  constructor(args: SparseCategoricalCrossentropyArgs = {}) {
    const { fromLogits = false, axis = -1, ...base } = args;
    super(sparseCategoricalCrossentropy, {
      ...base,
      name: base.name ?? 'sparse_categorical_crossentropy',
      fnOptions: { fromLogits, axis },
    });
    this.fromLogits = fromLogits;
    this.axis = axis;
    this.direction = 'down';
  }

  override getConfig(): Config {
    return { name: this.name, dtype: this.dtype, from_logits: this.fromLogits, axis: this.axis };
  }
}

registerClass('metric', SparseCategoricalCrossentropy, { module: 'keras.metrics', className: 'SparseCategoricalCrossentropy' });
registerIdentifier(
  'metric',
  ['sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy'],
  () => new SparseCategoricalCrossentropy(),
);
