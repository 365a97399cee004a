import { type Tensor, type TensorLike, type Variable, convertToTensor, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import { Metric, type MetricArgs } from '../metric';
import { reduceToSamplewiseValues } from './reduce';

/** keras.metrics.Sum: the (weighted) sum of the values seen. `new Sum()` or `new Sum('total')`. */
export class Sum extends Metric {
  readonly total: Variable;

  constructor(args: MetricArgs | string = {}) {
    const a = typeof args === 'string' ? { name: args } : args;
    super({ ...a, name: a.name ?? 'sum' });
    this.total = this.addVariable({ name: 'total' });
  }

  updateState(values: TensorLike, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const sw = sampleWeight == null ? null : convertToTensor(sampleWeight, this.dtype);
      const [v] = reduceToSamplewiseValues(convertToTensor(values), sw, 'sum', this.dtype);
      this.total.assignAdd(ops.sum(v));
    });
  }

  result(): Tensor {
    return ops.identity(this.total.value);
  }
}

registerClass('metric', Sum, { module: 'keras.metrics', className: 'Sum' });
registerIdentifier('metric', ['sum'], () => new Sum());
