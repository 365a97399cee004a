import { type Config, registerClass, registerIdentifier } from '@strata/core';
import { FBetaScore, type FBetaScoreArgs } from './f-beta-score';

export type F1ScoreArgs = Omit<FBetaScoreArgs, 'beta'>;

/** keras.metrics.F1Score: the F-beta score with beta = 1, `2 * precision * recall / (precision + recall)`. */
export class F1Score extends FBetaScore {
  constructor(args: F1ScoreArgs = {}) {
    const { beta: _ignored, ...rest } = args as FBetaScoreArgs;
    super({ ...rest, beta: 1, name: rest.name ?? 'f1_score' });
  }

  override getConfig(): Config {
    const { beta: _beta, ...config } = super.getConfig();
    return config;
  }
}

registerClass('metric', F1Score, { module: 'keras.metrics', className: 'F1Score' });
registerIdentifier('metric', ['f1_score', 'F1Score'], () => new F1Score());
