import { ValueError, registerClass, registerIdentifier } from '@strata/core';
import { Adam, type AdamArgs } from './adam';
import { checkKnownOptions } from './config';
import { type LearningRate, OPTIMIZER_ARG_NAMES, resolveOptimizerArgs } from './optimizer';

export type AdamWArgs = AdamArgs;

/**
 * keras.optimizers.AdamW: Adam with decoupled weight decay on by default (learning rate 0.001,
 * weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7). The decay `w -= w·weightDecay·lr` is the
 * base optimizer's, applied before the Adam update; a null `weightDecay` is refused.
 */
export class AdamW extends Adam {
  constructor(learningRate?: LearningRate | AdamWArgs, args?: AdamWArgs) {
    const a = resolveOptimizerArgs<AdamWArgs>(learningRate, args);
    checkKnownOptions('AdamW', a, [...OPTIMIZER_ARG_NAMES, 'beta1', 'beta2', 'epsilon', 'amsgrad']);
    // `undefined` means "not given" (the default 0.004); an explicit null is what Keras refuses.
    const weightDecay = a.weightDecay === undefined ? 0.004 : a.weightDecay;
    if (weightDecay == null) {
      throw new ValueError('AdamW: argument `weightDecay` must be a number. Received: weightDecay=null');
    }
    super({ ...a, weightDecay, name: a.name ?? 'adamw' });
  }
}

registerClass('optimizer', AdamW, { module: 'keras.optimizers', className: 'AdamW', aliases: ['adamw'] });
registerIdentifier('optimizer', ['adamw', 'AdamW'], () => new AdamW());
