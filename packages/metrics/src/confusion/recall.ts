import { type Variable, registerClass, registerIdentifier } from '@strata/core';
import { PrecisionRecallBase, type PrecisionRecallArgs } from './precision-recall-base';

export type RecallArgs = PrecisionRecallArgs;

/**
 * keras.metrics.Recall: how many of the positives are predicted positive, `tp / (tp + fn)` from the
 * variables `true_positives` and `false_negatives` (shape `[numThresholds]`); 0 when nothing was
 * counted. With `topK` it measures the labels found among the top-k predictions.
 */
export class Recall extends PrecisionRecallBase {
  constructor(args: RecallArgs = {}) {
    super('Recall', 'recall', 'fn', args);
  }

  get falseNegatives(): Variable {
    return this.otherCount;
  }
}

registerClass('metric', Recall, { module: 'keras.metrics', className: 'Recall' });
registerIdentifier('metric', ['recall', 'Recall'], () => new Recall());
