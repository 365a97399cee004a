import { type Tensor, type TensorLike, type Variable, convertToTensor, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { Metric, type MetricArgs } from '../metric';
import { reduceToSamplewiseValues } from './reduce';

/**
 * keras.metrics.Mean: the (weighted) mean of the values seen: `total / count`, where values are
 * first averaged per sample and `count` is the number of samples (or the sum of their weights).
 * `new Mean()` or `new Mean('loss')`.
 */
export class Mean extends Metric {
  readonly total: Variable;
  readonly count: Variable;

  constructor(args: MetricArgs | string = {}) {
    const a = typeof args === 'string' ? { name: args } : args;
    super({ ...a, name: a.name ?? 'mean' });
    this.total = this.addVariable({ name: 'total' });
    this.count = this.addVariable({ name: 'count' });
  }

  updateState(values: TensorLike, sampleWeight?: TensorLike | null): void {
    tidy(() => this.updateValues(convertToTensor(values), sampleWeight == null ? null : convertToTensor(sampleWeight)));
  }

  /** Accumulates per-sample `values` (call inside `tidy`). */
  protected updateValues(values: Tensor, sampleWeight: Tensor | null): void {
    const [v, sw] = reduceToSamplewiseValues(values, sampleWeight, 'mean', this.dtype);
    this.total.assignAdd(ops.sum(v));
    let n: Tensor;
    if (sw != null) n = ops.sum(sw);
    else n = ops.full([], v.rank >= 1 ? v.shape[0]! : 1, this.dtype);
    this.count.assignAdd(ops.cast(n, this.dtype));
  }

  result(): Tensor {
    return ops.divideNoNan(this.total.value, this.count.value);
  }
}

registerClass('metric', Mean, { module: 'keras.metrics', className: 'Mean' });
registerIdentifier('metric', ['mean'], () => new Mean());
