import { type Config, registerClass } from '@strata/core';
import type { IoUBaseArgs } from './iou-base';
import { IoU } from './iou';

export type MeanIoUArgs = IoUBaseArgs;

/** keras.metrics.MeanIoU: the IoU averaged over all `numClasses` classes (those seen). */
export class MeanIoU extends IoU {
  constructor(args: MeanIoUArgs) {
    super({ ...args, targetClassIds: Array.from({ length: args?.numClasses > 0 ? args.numClasses : 1 }, (_, i) => i) });
  }

  override getConfig(): Config {
    return {
      num_classes: this.numClasses,
      name: this.name,
      dtype: this.dtype,
      ignore_class: this.ignoreClass,
      sparse_y_true: this.sparseYTrue,
      sparse_y_pred: this.sparseYPred,
      axis: this.axis,
    };
  }
}

registerClass('metric', MeanIoU, { module: 'keras.metrics', className: 'MeanIoU' });
