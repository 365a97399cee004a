import '../builtins';
import {
  type Config,
  SeedGenerator,
  type Shape,
  ShapeError,
  type Tensor,
  ValueError,
  type Variable,
  drawSeed,
  formatShape,
  ops,
  random,
  registerClass,
  tidy,
} from '@strata/core';
import type { CallArgs, LayerArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { ScoresLayer } from './scores-layer';

export interface AttentionArgs extends LayerArgs {
  /** Learn a scalar `scale` for the scores. */
  useScale?: boolean;
  /** `'dot'` (query-key dot product) or `'concat'` (tanh of their sum). */
  scoreMode?: 'dot' | 'concat';
  dropout?: number;
  seed?: number | null;
}

/** Call options of `Attention` and `AdditiveAttention`. */
export interface DotAttentionCallArgs extends CallArgs {
  returnAttentionScores?: boolean;
  useCausalMask?: boolean;
}

/**
 * `keras.layers.Attention` (Luong-style dot-product attention). Called as
 * `layer.apply([query, value])` or `layer.apply([query, value, key])` on `(batch, T, dim)`
 * tensors; `[query_mask, value_mask]` come from the inputs' masks or `mask` in the call options.
 */
export class Attention extends ScoresLayer {
  static override className = 'Attention';

  readonly useScale: boolean;
  readonly scoreMode: 'dot' | 'concat';
  readonly dropout: number;
  readonly seed: number | null;
  protected readonly seedGenerator: SeedGenerator | null;
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;

  constructor(args?: AttentionArgs);
  constructor(useScale: boolean, scoreMode?: 'dot' | 'concat', options?: AttentionArgs);
  constructor(...args: unknown[]) {
    const a = positional<AttentionArgs>(['useScale', 'scoreMode', 'dropout', 'seed'], args);
    super(a);
    this.useScale = a.useScale ?? this.defaultUseScale();
    this.scoreMode = a.scoreMode ?? 'dot';
    if (this.scoreMode !== 'dot' && this.scoreMode !== 'concat') {
      throw new ValueError(`Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=${String(this.scoreMode)}`);
    }
    this.dropout = a.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`Invalid value for argument \`dropout\`. Expected a float value between 0 and 1. Received: dropout=${this.dropout}`);
    }
    this.seed = a.seed ?? null;
    this.seedGenerator = this.dropout > 0 ? new SeedGenerator(this.seed ?? drawSeed(null)) : null;
    this.supportsMasking = true;
  }

  protected defaultUseScale(): boolean {
    return false;
  }

  protected shapesOf(inputShape: Shape | Shape[]): [Shape, Shape, Shape] {
    const list = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    if (!Array.isArray(inputShape[0]) || list.length < 2 || list.length > 3) {
      throw new ValueError(
        `${this.className} layer "${this.name}" must be called on a list of inputs, namely [query, value] or [query, value, key]. Received ${list.length} input(s) of shape(s) ${list.map(formatShape).join(', ')}.`,
      );
    }
    const [q, v] = list as [Shape, Shape];
    const k = list[2] ?? v;
    const bad =
      q.length !== 3 ||
      v.length !== 3 ||
      k.length !== 3 ||
      (q[2] != null && k[2] != null && q[2] !== k[2]) ||
      (v[1] != null && k[1] != null && v[1] !== k[1]);
    if (bad) {
      throw new ShapeError(
        `${this.className} layer "${this.name}" expects query (batch, Tq, dim), value (batch, Tv, dim_v) and key (batch, Tv, dim). Received query shape ${formatShape(q)}, value shape ${formatShape(v)}, key shape ${formatShape(k)}.`,
      );
    }
    return [q, v, k];
  }

  override build(inputShape: Shape | Shape[]): void {
    this.shapesOf(inputShape);
    if (this.useScale) this.scale = this.addWeight({ name: 'scale', shape: [], initializer: 'ones' });
    if (this.scoreMode === 'concat') {
      this.concatScoreWeight = this.addWeight({ name: 'concat_score_weight', shape: [], initializer: 'ones' });
    }
    this.built = true;
  }

  /** Scores `(batch, Tq, Tv)` of `query (batch, Tq, dim)` against `key (batch, Tv, dim)`. */
  protected calculateScores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const scores = ops.matmul(query, ops.transpose(key, [0, 2, 1]));
      return this.scale != null ? ops.multiply(scores, this.scale.value) : scores;
    }
    let sum = ops.add(ops.expandDims(query, -2), ops.expandDims(key, -3)); // (B, Tq, Tv, dim)
    if (this.scale != null) sum = ops.multiply(this.scale.value, sum);
    return ops.multiply(this.concatScoreWeight!.value, ops.sum(ops.tanh(sum), -1));
  }

  override call(inputs: LayerOutput, args: DotAttentionCallArgs = {}): LayerOutput {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.shapesOf(list.map((t) => t.shape));
    const a = args as Record<string, unknown>;
    const returnScores = Boolean(args.returnAttentionScores ?? a.return_attention_scores ?? false);
    const useCausalMask = Boolean(args.useCausalMask ?? a.use_causal_mask ?? false);
    const masks = Array.isArray(args.mask) ? args.mask : [];
    const qMask = masks[0] ?? null;
    const vMask = masks[1] ?? null;
    const training = args.training ?? false;
    const out = tidy(() => {
      const q = toFloat(list[0]!);
      const v = toFloat(list[1]!);
      const k = list[2] != null ? toFloat(list[2]) : v;
      let scores = this.calculateScores(q, k);
      // Keras `_calculate_score_mask`: value mask (B, 1, Tv), and-ed with the causal mask.
      let keep: Tensor | null = vMask == null ? null : ops.expandDims(ops.cast(ops.notEqual(vMask, 0), 'float32'), -2);
      if (useCausalMask) {
        const causal = ops.expandDims(ops.tril(ops.ones([scores.shape[1]!, scores.shape[2]!])), 0);
        keep = keep == null ? causal : ops.multiply(keep, causal);
      }
      if (keep != null) scores = ops.subtract(scores, ops.multiply(ops.subtract(1, keep), 1e9));
      const weights = ops.softmax(scores, -1);
      const dropped = training && this.dropout > 0 ? random.dropout(weights, this.dropout, null, this.seedGenerator!) : weights;
      let y = ops.matmul(dropped, v);
      if (qMask != null) y = ops.multiply(y, ops.expandDims(ops.cast(ops.notEqual(qMask, 0), 'float32'), -1));
      return returnScores ? [y, weights] : [y];
    });
    return returnScores ? out : out[0]!;
  }

  override computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
    return Array.isArray(mask) ? (mask[0] ?? null) : null;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const [q, v, k] = this.shapesOf(inputShape);
    const out = [...q.slice(0, -1), v[v.length - 1]!];
    return this.returnScoresForShape ? [out, [q[0]!, q[1]!, k[1]!]] : out;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), use_scale: this.useScale, score_mode: this.scoreMode, dropout: this.dropout };
  }
}
registerClass('layer', Attention, { module: 'keras.layers', className: 'Attention' });
