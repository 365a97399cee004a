import {
  type TensorLike,
  ValueError,
  type Variable,
  convertToTensor,
  formatShape,
  ops,
  tidy,
} from '@strata/core';
import { Metric, type MetricArgs } from '../metric';

export interface IoUBaseArgs extends MetricArgs {
  /** Number of classes; the confusion matrix is `[numClasses, numClasses]`. */
  numClasses: number;
  /** A class id (e.g. a "void" label) left out of the counts. */
  ignoreClass?: number | null;
  /** Whether labels are class ids (true, default) or scores to take the argmax of. */
  sparseYTrue?: boolean;
  /** Whether predictions are class ids (true, default) or scores to take the argmax of. */
  sparseYPred?: boolean;
  /** Axis of the class scores for the argmax. Default -1. */
  axis?: number;
}

/**
 * Keras' `_IoUBase`: accumulates a `[numClasses, numClasses]` confusion matrix (rows: labels,
 * columns: predictions; variable `total_confusion_matrix`, attribute `totalCm`) weighted by
 * `sampleWeight`, for the IoU metrics to read.
 */
export abstract class IoUBase extends Metric {
  readonly numClasses: number;
  readonly ignoreClass: number | null;
  readonly sparseYTrue: boolean;
  readonly sparseYPred: boolean;
  readonly axis: number;
  readonly totalCm: Variable;

  constructor(args: IoUBaseArgs) {
    const { numClasses, ignoreClass = null, sparseYTrue = true, sparseYPred = true, axis = -1, ...base } = args;
    const cls = new.target.name;
    if (!Number.isInteger(numClasses) || numClasses <= 0) {
      throw new ValueError(`${cls}: \`num_classes\` must be a positive integer. Received: num_classes=${numClasses}`);
    }
    if (ignoreClass != null && !Number.isInteger(ignoreClass)) {
      throw new ValueError(`${cls}: \`ignore_class\` must be an integer or null. Received: ignore_class=${ignoreClass}`);
    }
    super(base);
    this.direction = 'up';
    this.numClasses = numClasses;
    this.ignoreClass = ignoreClass;
    this.sparseYTrue = sparseYTrue;
    this.sparseYPred = sparseYPred;
    this.axis = axis;
    this.totalCm = this.addVariable({ name: 'total_confusion_matrix', shape: [numClasses, numClasses] });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const cls = this.constructor.name;
      let yt = convertToTensor(yTrue);
      let yp = convertToTensor(yPred as TensorLike);
      if (!this.sparseYTrue) yt = ops.argmax(yt, this.axis);
      if (!this.sparseYPred) yp = ops.argmax(yp, this.axis);
      yt = ops.reshape(ops.cast(yt, this.dtype), [-1]);
      yp = ops.reshape(ops.cast(yp, this.dtype), [-1]);
      if (yt.size !== yp.size) {
        throw new ValueError(
          `${cls}: y_true and y_pred must hold the same number of labels. Received: y_true.shape=${formatShape(convertToTensor(yTrue).shape)}, y_pred.shape=${formatShape(convertToTensor(yPred as TensorLike).shape)}`,
        );
      }
      let sw = sampleWeight == null ? ops.ones([], this.dtype) : ops.cast(convertToTensor(sampleWeight), this.dtype);
      if (sw.rank > 1) sw = ops.reshape(sw, [-1]);
      if (!(sw.rank === 0 || sw.size === 1 || sw.size === yt.size)) {
        throw new ValueError(
          `${cls}: sample_weight of shape ${formatShape(convertToTensor(sampleWeight as TensorLike).shape)} cannot be broadcast to the ${yt.size} labels of y_true.`,
        );
      }
      sw = ops.broadcastTo(sw, yt.shape);
      if (this.ignoreClass != null) {
        // Ignored entries become class 0 with weight 0: they add nothing.
        const valid = ops.cast(ops.notEqual(yt, this.ignoreClass), this.dtype);
        yt = ops.multiply(yt, valid);
        yp = ops.multiply(yp, valid);
        sw = ops.multiply(sw, valid);
      }
      // cm[i, j] = sum of the weights of entries with label i and prediction j (ids outside
      // [0, numClasses) one-hot to zeros and are dropped).
      const labels = ops.oneHot(ops.cast(yt, 'int32'), this.numClasses);
      const preds = ops.oneHot(ops.cast(yp, 'int32'), this.numClasses);
      const weighted = ops.multiply(ops.cast(labels, this.dtype), ops.expandDims(sw, 1));
      const cm = ops.matmul(ops.transpose(weighted), ops.cast(preds, this.dtype));
      this.totalCm.assignAdd(cm);
    });
  }
}
