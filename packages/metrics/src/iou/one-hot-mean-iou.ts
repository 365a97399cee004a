import { type Config, registerClass } from '@strata/core';
import type { IoUBaseArgs } from './iou-base';
import { MeanIoU } from './mean-iou';

export type OneHotMeanIoUArgs = Omit<IoUBaseArgs, 'sparseYTrue'>;

/** keras.metrics.OneHotMeanIoU: MeanIoU for one-hot labels (argmax over `axis`), predictions dense by default. */
export class OneHotMeanIoU extends MeanIoU {
  constructor(args: OneHotMeanIoUArgs) {
    const { sparseYPred = false, ...rest } = (args ?? {}) as OneHotMeanIoUArgs & { sparseYTrue?: boolean };
    const { sparseYTrue: _fixed, ...base } = rest as OneHotMeanIoUArgs & { sparseYTrue?: boolean };
    super({ ...base, sparseYTrue: false, sparseYPred });
  }

  override getConfig(): Config {
    return {
      num_classes: this.numClasses,
      name: this.name,
      dtype: this.dtype,
      ignore_class: this.ignoreClass,
      sparse_y_pred: this.sparseYPred,
      axis: this.axis,
    };
  }
}

registerClass('metric', OneHotMeanIoU, { module: 'keras.metrics', className: 'OneHotMeanIoU' });
