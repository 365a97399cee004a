import { registerClass, registerIdentifier } from '@strata/core';
import { type ConfusionCountArgs, ConfusionMatrixConditionCount } from './confusion-matrix-condition-count';

/** keras.metrics.FalsePositives: the (weighted) number of false positives at each threshold (default 0.5). */
export class FalsePositives extends ConfusionMatrixConditionCount {
  protected readonly condition = 'fp';

  constructor(args: ConfusionCountArgs = {}) {
    super(args, 'false_positives');
  }
}

registerClass('metric', FalsePositives, { module: 'keras.metrics', className: 'FalsePositives' });
registerIdentifier('metric', ['false_positives', 'FalsePositives'], () => new FalsePositives());
