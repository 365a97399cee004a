import {
  type Tensor,
  type TensorLike,
  convertToTensor,
  ops,
  registerClass,
  registerIdentifier,
  tidy,
} from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';
import type { MetricArgs } from '../metric';
import { Mean } from '../reduction/mean';

/** keras.metrics.RootMeanSquaredError: `sqrt` of the (weighted) mean of the squared errors. */
export class RootMeanSquaredError extends Mean {
  constructor(args: MetricArgs = {}) {
    super({ ...args, name: args.name ?? 'root_mean_squared_error' });
    this.direction = 'down';
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const yp = convertToTensor(yPred!, this.dtype);
      const [t, p] = squeezeOrExpandToSameRank(convertToTensor(yTrue, this.dtype), yp);
      this.updateValues(ops.square(ops.subtract(t, p)), sampleWeight == null ? null : convertToTensor(sampleWeight));
    });
  }

  override result(): Tensor {
    return tidy(() => ops.sqrt(ops.divideNoNan(this.total.value, this.count.value)));
  }
}

registerClass('metric', RootMeanSquaredError, { module: 'keras.metrics', className: 'RootMeanSquaredError' });
registerIdentifier('metric', ['root_mean_squared_error', 'RootMeanSquaredError'], () => new RootMeanSquaredError());
