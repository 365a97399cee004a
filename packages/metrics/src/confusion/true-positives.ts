import { registerClass, registerIdentifier } from '@strata/core';
import { type ConfusionCountArgs, ConfusionMatrixConditionCount } from './confusion-matrix-condition-count';

/** keras.metrics.TruePositives: the (weighted) number of true positives at each threshold (default 0.5). */
export class TruePositives extends ConfusionMatrixConditionCount {
  protected readonly condition = 'tp';

  constructor(args: ConfusionCountArgs = {}) {
    super(args, 'true_positives');
  }
}

registerClass('metric', TruePositives, { module: 'keras.metrics', className: 'TruePositives' });
registerIdentifier('metric', ['true_positives', 'TruePositives'], () => new TruePositives());
