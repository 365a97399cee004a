import { type Config, type TensorLike, convertToTensor, ops, registerClass, registerIdentifier, tidy } from '@strata/core';
import type { MetricArgs } from '../metric';
import { IoU } from './iou';

export interface BinaryIoUArgs extends MetricArgs {
  /** `[0]`, `[1]` or `[0, 1]` (default): the classes whose IoUs are averaged. */
  targetClassIds?: number[];
  /** Predictions >= threshold are class 1, the others class 0. Default 0.5. */
  threshold?: number;
}

/** keras.metrics.BinaryIoU: IoU of a binary task, predictions thresholded (`>= threshold` is class 1). */
export class BinaryIoU extends IoU {
  readonly threshold: number;

  constructor(args: BinaryIoUArgs = {}) {
    const { targetClassIds = [0, 1], threshold = 0.5, ...base } = args;
    super({ ...base, numClasses: 2, targetClassIds });
    this.threshold = threshold;
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const yp = ops.cast(ops.greaterEqual(ops.cast(convertToTensor(yPred as TensorLike), this.dtype), this.threshold), this.dtype);
      super.updateState(yTrue, yp, sampleWeight);
    });
  }

  override getConfig(): Config {
    return { target_class_ids: [...this.targetClassIds], threshold: this.threshold, name: this.name, dtype: this.dtype };
  }
}

registerClass('metric', BinaryIoU, { module: 'keras.metrics', className: 'BinaryIoU' });
registerIdentifier('metric', ['binary_io_u', 'BinaryIoU'], () => new BinaryIoU());
