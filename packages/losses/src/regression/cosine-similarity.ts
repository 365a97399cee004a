import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { Loss, type LossArgs } from '../loss';
import { LossFunctionWrapper } from '../loss-function-wrapper';
import { type AxisOptions, cosineSimilarity } from './functions';

export interface CosineSimilarityArgs extends LossArgs, AxisOptions {}

/**
 * keras.losses.CosineSimilarity (axis -1): the negative cosine similarity along `axis`, so that
 * minimising it aligns the vectors; then reduced.
 */
export class CosineSimilarity extends LossFunctionWrapper<AxisOptions> {
  readonly axis: number;

  constructor(args: CosineSimilarityArgs = {}) {
    const { axis = -1, ...base } = args;
    super(cosineSimilarity, { ...base, name: base.name ?? 'cosine_similarity', fnOptions: { axis } });
    this.axis = axis;
  }

  // Keras writes `axis` since keras-team/keras#23286; without it a reloaded loss resets to -1.
  override getConfig(): Config {
    return { ...Loss.prototype.getConfig.call(this), axis: this.axis };
  }
}

registerClass('loss', CosineSimilarity, { module: 'keras.losses', className: 'CosineSimilarity' });
registerIdentifier('loss', ['cosine_similarity', 'CosineSimilarity'], () => new CosineSimilarity());
