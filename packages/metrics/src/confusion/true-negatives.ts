import { registerClass, registerIdentifier } from '@strata/core';
import { type ConfusionCountArgs, ConfusionMatrixConditionCount } from './confusion-matrix-condition-count';

/** keras.metrics.TrueNegatives: the (weighted) number of true negatives at each threshold (default 0.5). */
export class TrueNegatives extends ConfusionMatrixConditionCount {
  protected readonly condition = 'tn';

  constructor(args: ConfusionCountArgs = {}) {
    super(args, 'true_negatives');
  }
}

registerClass('metric', TrueNegatives, { module: 'keras.metrics', className: 'TrueNegatives' });
registerIdentifier('metric', ['true_negatives', 'TrueNegatives'], () => new TrueNegatives());
