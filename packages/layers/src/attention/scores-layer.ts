import type { KerasTensor, Tensor, TensorLike } from '@strata/core';
import { type CallArgs, Layer } from '../layer';

/**
 * Base of the attention layers whose output is a list `[output, scores]` when called with
 * `returnAttentionScores: true`: remembers that flag for the duration of `apply`, so symbolic
 * calls (which infer shapes without the call options) know how many outputs there are.
 */
export class ScoresLayer extends Layer {
  protected returnScoresForShape = false;

  override apply(inputs: KerasTensor, args?: CallArgs): KerasTensor;
  override apply(inputs: KerasTensor[], args?: CallArgs): KerasTensor | KerasTensor[];
  override apply(inputs: Tensor | TensorLike, args?: CallArgs): Tensor;
  override apply(inputs: Tensor[], args?: CallArgs): Tensor | Tensor[];
  override apply(inputs: unknown, args: CallArgs = {}): unknown {
    const a = args as Record<string, unknown>;
    this.returnScoresForShape = Boolean(args.returnAttentionScores ?? a.return_attention_scores);
    this.callOutputIsList = this.returnScoresForShape;
    try {
      return (Layer.prototype.apply as (x: unknown, args: CallArgs) => unknown).call(this, inputs, args);
    } finally {
      this.returnScoresForShape = false;
      this.callOutputIsList = false;
    }
  }
}
