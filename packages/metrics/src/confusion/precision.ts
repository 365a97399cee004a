import { type Variable, registerClass, registerIdentifier } from '@strata/core';
import { PrecisionRecallBase, type PrecisionRecallArgs } from './precision-recall-base';

export type PrecisionArgs = PrecisionRecallArgs;

/**
 * keras.metrics.Precision: how many of the predicted positives are positive, `tp / (tp + fp)` from the
 * variables `true_positives` and `false_positives` (shape `[numThresholds]`); 0 when nothing was
 * counted. With `topK` it measures the top-k predictions that are among the labels.
 */
export class Precision extends PrecisionRecallBase {
  constructor(args: PrecisionArgs = {}) {
    super('Precision', 'precision', 'fp', args);
  }

  get falsePositives(): Variable {
    return this.otherCount;
  }
}

registerClass('metric', Precision, { module: 'keras.metrics', className: 'Precision' });
registerIdentifier('metric', ['precision', 'Precision'], () => new Precision());
