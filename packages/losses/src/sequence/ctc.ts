import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { ctc } from './functions';

/**
 * keras.losses.CTC: Connectionist Temporal Classification loss of 0-padded integer labels
 * `(batch, max_length)` against logits `(batch, steps, classes)` (class 0 is the blank), then
 * reduced.
 */
export class CTC extends LossFunctionWrapper {
  constructor(args: LossArgs = {}) {
    super(ctc, { ...args, name: args.name ?? 'ctc' });
  }

  override getConfig(): Config {
    return Loss.prototype.getConfig.call(this);
  }
}

registerClass('loss', CTC, { module: 'keras.losses', className: 'CTC' });
registerIdentifier('loss', ['ctc', 'CTC'], () => new CTC());
