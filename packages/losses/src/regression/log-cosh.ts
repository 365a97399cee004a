import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { logCosh } from './functions';

/** keras.losses.LogCosh: `mean(log(cosh(yPred - yTrue)))` per sample, then reduced (named `log_cosh`). */
export class LogCosh extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(logCosh, { ...args, name: args.name ?? 'log_cosh' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', LogCosh, { module: 'keras.losses', className: 'LogCosh' });
registerIdentifier('loss', ['log_cosh', 'logcosh', 'LogCosh'], () => new LogCosh());
