import { registerClass, registerIdentifier } from '@strata/core';
import { type ConfusionCountArgs, ConfusionMatrixConditionCount } from './confusion-matrix-condition-count';

/** keras.metrics.FalseNegatives: the (weighted) number of false negatives at each threshold (default 0.5). */
export class FalseNegatives extends ConfusionMatrixConditionCount {
  protected readonly condition = 'fn';

  constructor(args: ConfusionCountArgs = {}) {
    super(args, 'false_negatives');
  }
}

registerClass('metric', FalseNegatives, { module: 'keras.metrics', className: 'FalseNegatives' });
registerIdentifier('metric', ['false_negatives', 'FalseNegatives'], () => new FalseNegatives());
