import { type Config, registerClass } from '@strata/core';
import type { IoUBaseArgs } from './iou-base';
import { IoU } from './iou';

export interface OneHotIoUArgs extends Omit<IoUBaseArgs, 'sparseYTrue'> {
  /** Classes whose IoUs are averaged. */
  targetClassIds: number[];
}

/** keras.metrics.OneHotIoU: IoU for one-hot labels (argmax over `axis`), predictions dense by default. */
export class OneHotIoU extends IoU {
  constructor(args: OneHotIoUArgs) {
    const { sparseYPred = false, ...rest } = (args ?? {}) as OneHotIoUArgs & { sparseYTrue?: boolean };
    const { sparseYTrue: _fixed, ...base } = rest as OneHotIoUArgs & { sparseYTrue?: boolean };
    super({ ...base, sparseYTrue: false, sparseYPred });
  }

  override getConfig(): Config {
    return {
      num_classes: this.numClasses,
      target_class_ids: [...this.targetClassIds],
      name: this.name,
      dtype: this.dtype,
      ignore_class: this.ignoreClass,
      sparse_y_pred: this.sparseYPred,
      axis: this.axis,
    };
  }
}

registerClass('metric', OneHotIoU, { module: 'keras.metrics', className: 'OneHotIoU' });
