import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type BinaryFocalCrossentropyOptions, binaryFocalCrossentropy } from './functions';

export interface BinaryFocalCrossentropyArgs extends LossArgs, BinaryFocalCrossentropyOptions {}

/**
 * keras.losses.BinaryFocalCrossentropy (applyClassBalancing false, alpha 0.25, gamma 2, fromLogits
 * false, labelSmoothing 0, axis -1): the binary crossentropy down-weighted on easy examples by the
 * focal factor `(1 - p_t)^gamma`, averaged over `axis`, then reduced.
 */
export class BinaryFocalCrossentropy extends LossFunctionWrapper<BinaryFocalCrossentropyOptions> {
  readonly applyClassBalancing: boolean;
  readonly alpha: number;
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: BinaryFocalCrossentropyArgs = {}) {
    const {
      applyClassBalancing = false,
      alpha = 0.25,
      gamma = 2,
      fromLogits = false,
      labelSmoothing = 0,
      axis = -1,
      ...base
    } = args;
    super(binaryFocalCrossentropy, {
      ...base,
      name: base.name ?? 'binary_focal_crossentropy',
      fnOptions: { applyClassBalancing, alpha, gamma, fromLogits, labelSmoothing, axis },
    });
    this.applyClassBalancing = applyClassBalancing;
    this.alpha = alpha;
    this.gamma = gamma;
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }

  override getConfig(): Config {
    return {
      ...Loss.prototype.getConfig.call(this),
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
      apply_class_balancing: this.applyClassBalancing,
      alpha: this.alpha,
      gamma: this.gamma,
    };
  }
}

registerClass('loss', BinaryFocalCrossentropy, { module: 'keras.losses', className: 'BinaryFocalCrossentropy' });
registerIdentifier(
  'loss',
  ['binary_focal_crossentropy', 'BinaryFocalCrossentropy'],
  () => new BinaryFocalCrossentropy(),
);
