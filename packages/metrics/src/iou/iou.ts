import { type Config, type Tensor, ValueError, convertToTensor, epsilon, ops, registerClass, tidy } from '@strata/core';
import { IoUBase, type IoUBaseArgs } from './iou-base';

export interface IoUArgs extends IoUBaseArgs {
  /** Classes whose IoUs are averaged (one id gives that class's IoU). */
  targetClassIds: number[];
}

/**
 * keras.metrics.IoU: `tp / (tp + fp + fn)` per class from the accumulated confusion matrix,
 * averaged over `targetClassIds` whose denominator is non-zero (0 when none is).
 */
export class IoU extends IoUBase {
  readonly targetClassIds: number[];

  constructor(args: IoUArgs) {
    const { targetClassIds, ...base } = args;
    super(base);
    const cls = this.constructor.name;
    if (!Array.isArray(targetClassIds) || targetClassIds.length === 0) {
      throw new ValueError(`${cls}: \`target_class_ids\` must be a non-empty list of class ids. Received: target_class_ids=${JSON.stringify(targetClassIds)}`);
    }
    const max = Math.max(...targetClassIds);
    if (max >= this.numClasses) {
      this.dispose();
      throw new ValueError(`${cls}: target class id ${max} is out of range, which is [0, ${this.numClasses}).`);
    }
    const bad = targetClassIds.filter((c) => !Number.isInteger(c) || c < 0);
    if (bad.length > 0) {
      this.dispose();
      throw new ValueError(`${cls}: target class ids must be integers in [0, ${this.numClasses}). Received: ${bad.join(', ')}`);
    }
    this.targetClassIds = [...targetClassIds];
  }

  result(): Tensor {
    return tidy(() => {
      const cm = this.totalCm.value;
      const sumOverRow = ops.sum(cm, 0);
      const sumOverCol = ops.sum(cm, 1);
      const truePositives = ops.sum(ops.multiply(cm, ops.eye(this.numClasses, undefined, cm.dtype)), 1);
      // sum_over_row + sum_over_col = 2 tp + fp + fn.
      const denominator = ops.subtract(ops.add(sumOverRow, sumOverCol), truePositives);
      const ids = convertToTensor(this.targetClassIds, 'int32');
      const tp = ops.take(truePositives, ids);
      const denom = ops.take(denominator, ids);
      // Classes never seen (denominator 0) are left out of the mean.
      const numValid = ops.sum(ops.cast(ops.greater(denom, 1e-9), this.dtype));
      const iou = ops.divide(tp, ops.add(denom, epsilon()));
      return ops.divide(ops.sum(iou), ops.add(numValid, epsilon()));
    });
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      num_classes: this.numClasses,
      target_class_ids: [...this.targetClassIds],
      ignore_class: this.ignoreClass,
      sparse_y_true: this.sparseYTrue,
      sparse_y_pred: this.sparseYPred,
      axis: this.axis,
    };
  }
}

registerClass('metric', IoU, { module: 'keras.metrics', className: 'IoU' });
