import '../builtins';
import {
  type Config,
  type Dim,
  SeedGenerator,
  type Shape,
  ShapeError,
  type Tensor,
  ValueError,
  drawSeed,
  formatShape,
  ops,
  random,
  registerClass,
  tidy,
} from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import type { CallArgs, LayerArgs, LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { AttentionProjection } from './projection';
import { ScoresLayer } from './scores-layer';

export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads?: number;
  /** Size of each attention head for query and key. */
  keyDim?: number;
  /** Size of each attention head for value; defaults to `keyDim`. */
  valueDim?: number | null;
  dropout?: number;
  useBias?: boolean;
  /** The trailing output shape; defaults to the query's last dimension. */
  outputShape?: number | number[] | null;
  /** Axes attention runs over (of the query); defaults to every axis but batch, heads and features. */
  attentionAxes?: number | number[] | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  seed?: number | null;
  /** Only `null`/`false` is accepted (no flash attention kernel here). */
  flashAttention?: boolean | null;
}

/** Call options of the attention layers (beside `training` and `mask`). */
export interface AttentionCallArgs extends CallArgs {
  attentionMask?: Tensor | null;
  useCausalMask?: boolean;
  returnAttentionScores?: boolean;
  queryMask?: Tensor | null;
  valueMask?: Tensor | null;
  keyMask?: Tensor | null;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Keras' `_large_negative_number` for float32. */
const LARGE_NEGATIVE = -1e9;

/**
 * `keras.layers.MultiHeadAttention`. Called as `layer.apply([query, value])` or
 * `layer.apply([query, value, key])`, with `{attentionMask, useCausalMask, returnAttentionScores}`
 * in the call options. Weights, in Keras' order: `query/kernel (dim, num_heads, key_dim)`,
 * `query/bias (num_heads, key_dim)`, the same for `key` and `value` (`value_dim`), then
 * `attention_output/kernel (num_heads, value_dim, *output_shape)` and its bias.
 */
export class MultiHeadAttention extends ScoresLayer {
  static override className = 'MultiHeadAttention';

  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShapeArg: number | number[] | null;
  attentionAxes: number[] | null;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly seed: number | null;
  private readonly seedGenerator: SeedGenerator | null;
  // Sublayers, declared in Keras' weight order.
  queryDense: AttentionProjection | null = null;
  keyDense: AttentionProjection | null = null;
  valueDense: AttentionProjection | null = null;
  outputDense: AttentionProjection | null = null;

  constructor(numHeads: number, keyDim: number, options?: Omit<MultiHeadAttentionArgs, 'numHeads' | 'keyDim'>);
  constructor(args: MultiHeadAttentionArgs);
  constructor(...args: unknown[]) {
    const a = positional<MultiHeadAttentionArgs>(['numHeads', 'keyDim', 'valueDim', 'dropout', 'useBias'], args);
    super(a);
    const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
    if (!positiveInt(a.numHeads)) {
      throw new ValueError(`Received an invalid value for \`num_heads\`, expected a positive integer. Received: num_heads=${String(a.numHeads)}`);
    }
    if (!positiveInt(a.keyDim)) {
      throw new ValueError(`Received an invalid value for \`key_dim\`, expected a positive integer. Received: key_dim=${String(a.keyDim)}`);
    }
    if (a.valueDim != null && !positiveInt(a.valueDim)) {
      throw new ValueError(`Received an invalid value for \`value_dim\`, expected a positive integer. Received: value_dim=${String(a.valueDim)}`);
    }
    const dropout = a.dropout ?? 0;
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new ValueError(`Invalid value for argument \`dropout\`. Expected a float value between 0 and 1. Received: dropout=${dropout}`);
    }
    if (a.flashAttention) throw new ValueError(`MultiHeadAttention "${this.name}": flash_attention is not supported.`);
    this.numHeads = a.numHeads!;
    this.keyDim = a.keyDim!;
    this.valueDim = a.valueDim ?? this.keyDim;
    this.dropout = dropout;
    this.useBias = a.useBias ?? true;
    this.outputShapeArg = a.outputShape ?? null;
    this.attentionAxes = a.attentionAxes == null ? null : typeof a.attentionAxes === 'number' ? [a.attentionAxes] : [...a.attentionAxes];
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorot_uniform')!;
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros')!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
    this.biasConstraint = getConstraint(a.biasConstraint);
    this.seed = a.seed ?? null;
    this.seedGenerator = dropout > 0 ? new SeedGenerator(this.seed ?? drawSeed(null)) : null;
    this.supportsMasking = true;
  }

  protected shapesOf(inputShape: Shape | Shape[]): [Shape, Shape, Shape] {
    const list = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    if (list.length < 2 || list.length > 3) {
      throw new ValueError(
        `Layer "${this.name}" expects inputs [query, value] or [query, value, key]; received ${list.length} input(s) of shape(s) ${list.map(formatShape).join(', ')}.`,
      );
    }
    return [list[0]!, list[1]!, list[2] ?? list[1]!];
  }

  protected projection(name: string, contractAxes: number, outputShape: number[]): AttentionProjection {
    return new AttentionProjection({
      name,
      contractAxes,
      outputShape,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      kernelRegularizer: this.kernelRegularizer,
      biasRegularizer: this.biasRegularizer,
      kernelConstraint: this.kernelConstraint,
      biasConstraint: this.biasConstraint,
    });
  }

  private outputTail(queryShape: Shape): number[] {
    if (this.outputShapeArg == null) return [queryShape[queryShape.length - 1] as number];
    return typeof this.outputShapeArg === 'number' ? [this.outputShapeArg] : [...this.outputShapeArg];
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q, v, k] = this.shapesOf(inputShape);
    for (const [what, s] of [['query', q], ['value', v], ['key', k]] as const) {
      if (s.length < 3 || s[s.length - 1] == null) {
        throw new ShapeError(
          `Layer "${this.name}" expects ${what} of rank >= 3 with a defined last dimension. Received ${what} shape ${formatShape(s)}.`,
        );
      }
    }
    if (v.length !== q.length || k.length !== q.length) {
      throw new ShapeError(
        `Layer "${this.name}" expects query, value and key of the same rank. Received query shape ${formatShape(q)}, value shape ${formatShape(v)}, key shape ${formatShape(k)}.`,
      );
    }
    const rank = q.length + 1; // rank of the projected tensors
    if (this.attentionAxes == null) this.attentionAxes = Array.from({ length: rank - 3 }, (_, i) => i + 1);
    else this.attentionAxes = this.attentionAxes.map((ax) => (ax < 0 ? ax + rank : ax));
    if (this.attentionAxes.some((ax) => ax <= 0 || ax >= rank - 2)) {
      throw new ValueError(`Layer "${this.name}": invalid attention_axes ${JSON.stringify(this.attentionAxes)} for query shape ${formatShape(q)}.`);
    }
    this.queryDense = this.projection('query', 1, [this.numHeads, this.keyDim]);
    this.queryDense.maybeBuild([q], false);
    this.keyDense = this.projection('key', 1, [this.numHeads, this.keyDim]);
    this.keyDense.maybeBuild([k], false);
    this.valueDense = this.projection('value', 1, [this.numHeads, this.valueDim]);
    this.valueDense.maybeBuild([v], false);
    this.outputDense = this.projection('attention_output', 2, this.outputTail(q));
    this.outputDense.maybeBuild([[...q.slice(0, -1), this.numHeads, this.valueDim]], false);
    this.built = true;
  }

  /** Rejects inputs whose feature dims differ from the ones the layer was built with. */
  private checkInputs(q: Tensor, v: Tensor, k: Tensor): void {
    const built = this.buildInputShape == null ? null : this.shapesOf(this.buildInputShape);
    if (built == null) return;
    const names = ['query', 'value', 'key'] as const;
    [q, v, k].forEach((t, i) => {
      const want = built[i]!;
      if (t.rank !== want.length || t.shape[t.rank - 1] !== want[want.length - 1]) {
        throw new ShapeError(
          `Layer "${this.name}" was built for ${names[i]} of shape ${formatShape(want)}, but received ${names[i]} of shape ${formatShape(t.shape)}.`,
        );
      }
    });
  }

  override call(inputs: LayerOutput, args: AttentionCallArgs = {}): LayerOutput {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length < 2 || list.length > 3) {
      throw new ValueError(`Layer "${this.name}" expects inputs [query, value] or [query, value, key]; received ${list.length} input(s).`);
    }
    const masks = Array.isArray(args.mask) ? args.mask : [];
    const query = toFloat(list[0]!);
    const value = toFloat(list[1]!);
    const key = list[2] != null ? toFloat(list[2]) : value;
    this.checkInputs(query, value, key);
    const a = args as Record<string, unknown>;
    const attentionMask = (args.attentionMask ?? a.attention_mask ?? null) as Tensor | null;
    const useCausalMask = Boolean(args.useCausalMask ?? a.use_causal_mask ?? false);
    const returnScores = Boolean(args.returnAttentionScores ?? a.return_attention_scores ?? false);
    const queryMask = (args.queryMask ?? masks[0] ?? null) as Tensor | null;
    const valueMask = (args.valueMask ?? masks[1] ?? null) as Tensor | null;
    const keyMask = (args.keyMask ?? (list[2] != null ? masks[2] : null) ?? null) as Tensor | null;
    const training = args.training ?? false;
    const out = tidy(() => {
      const mask = this.computeAttentionMask(query, value, queryMask, valueMask, keyMask, attentionMask, useCausalMask);
      const q = this.queryDense!.call(query) as Tensor;
      const [k, v] = this.projectKeyValue(key, value);
      const [attn, scores] = this.computeAttention(q, k, v, mask, training);
      const y = this.outputDense!.call(attn) as Tensor;
      return returnScores ? [y, scores] : [y];
    });
    return returnScores ? out : out[0]!;
  }

  /** The projected key and value `(..., heads, dim)`; GroupedQueryAttention repeats its heads here. */
  protected projectKeyValue(key: Tensor, value: Tensor): [Tensor, Tensor] {
    return [this.keyDense!.call(key) as Tensor, this.valueDense!.call(value) as Tensor];
  }

  /** Keras `_compute_attention_mask`: a 0/1 float mask `(B, T, S)` (or null). */
  private computeAttentionMask(
    query: Tensor,
    value: Tensor,
    queryMask: Tensor | null,
    valueMask: Tensor | null,
    keyMask: Tensor | null,
    attentionMask: Tensor | null,
    useCausalMask: boolean,
  ): Tensor | null {
    const asFloat = (m: Tensor) => ops.cast(ops.notEqual(m, 0), 'float32');
    let auto: Tensor | null = null;
    const and = (m: Tensor) => {
      auto = auto == null ? m : ops.multiply(auto, m);
    };
    if (queryMask != null) and(ops.expandDims(asFloat(queryMask), -1)); // (B, T, 1)
    if (valueMask != null) and(ops.expandDims(asFloat(valueMask), -2)); // (B, 1, S)
    if (keyMask != null) and(ops.expandDims(asFloat(keyMask), -2)); // (B, 1, S)
    if (useCausalMask) and(ops.expandDims(ops.tril(ops.ones([query.shape[1]!, value.shape[1]!])), 0)); // (1, T, S)
    if (attentionMask == null) return auto;
    const given = asFloat(attentionMask);
    return auto == null ? given : ops.multiply(given, auto);
  }

  /**
   * Scaled dot-product attention over the attention axes, as Keras' einsum equations but with
   * transposes and batched matmuls. Returns the attention output (the query's layout with
   * `value_dim`) and the scores `(*batch dims, num_heads, *query attention dims, *key attention dims)`.
   */
  private computeAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, training: boolean): [Tensor, Tensor] {
    const rank = q.rank;
    const attn = this.attentionAxes!;
    const others = Array.from({ length: rank - 2 }, (_, i) => i).filter((i) => !attn.includes(i));
    const perm = [...others, rank - 2, ...attn, rank - 1];
    const otherDims = others.map((i) => q.shape[i]!);
    const qAttn = attn.map((i) => q.shape[i]!);
    const kAttn = attn.map((i) => k.shape[i]!);
    const P = prod(otherDims);
    const N = this.numHeads;
    const Tq = prod(qAttn);
    const Tk = prod(kAttn);
    const scaled = ops.multiply(q, 1 / Math.sqrt(this.keyDim));
    const qf = ops.reshape(ops.transpose(scaled, perm), [P, N, Tq, this.keyDim]);
    const kf = ops.reshape(ops.transpose(k, perm), [P, N, Tk, this.keyDim]);
    const vf = ops.reshape(ops.transpose(v, perm), [P, N, Tk, this.valueDim]);
    let scores = ops.matmul(qf, ops.transpose(kf, [0, 1, 3, 2])); // (P, N, Tq, Tk)
    const scoreShape = [...otherDims, N, ...qAttn, ...kAttn];
    let m: Tensor | null = null;
    if (mask != null) {
      m = mask;
      // Keras expands the mask before the attention axes until it has the scores' rank.
      while (m.rank < scoreShape.length) m = ops.expandDims(m, m.rank - 2 * attn.length);
      const s = ops.reshape(scores, scoreShape);
      let adder: Tensor;
      try {
        adder = ops.add(ops.multiply(ops.subtract(1, m), LARGE_NEGATIVE), ops.zeros(scoreShape));
      } catch {
        throw new ShapeError(
          `Layer "${this.name}": the attention mask of shape ${formatShape(mask.shape)} does not broadcast to the attention scores of shape ${formatShape(scoreShape)}.`,
        );
      }
      scores = ops.reshape(ops.add(s, adder), [P, N, Tq, Tk]);
    }
    let probs = ops.softmax(scores, -1);
    if (m != null) probs = ops.reshape(ops.multiply(ops.reshape(probs, scoreShape), m), [P, N, Tq, Tk]);
    const dropped = training && this.dropout > 0 ? random.dropout(probs, this.dropout, null, this.seedGenerator!) : probs;
    const o = ops.matmul(dropped, vf); // (P, N, Tq, Hv)
    const permuted = ops.reshape(o, [...otherDims, N, ...qAttn, this.valueDim]);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [ops.transpose(permuted, inverse), ops.reshape(probs, scoreShape)];
  }

  override computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
    // The output rows are the query's: its mask carries over.
    return Array.isArray(mask) ? (mask[0] ?? null) : (mask ?? null);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const [q, v, k] = this.shapesOf(inputShape);
    const out: Dim[] = [...q.slice(0, -1), ...this.outputTail(q)];
    if (!this.returnScoresForShape) return out;
    const rank = q.length + 1;
    const attn = this.attentionAxes ?? Array.from({ length: rank - 3 }, (_, i) => i + 1);
    const others = Array.from({ length: rank - 2 }, (_, i) => i).filter((i) => !attn.includes(i));
    void v;
    return [out, [...others.map((i) => q[i]!), this.numHeads, ...attn.map((i) => q[i]!), ...attn.map((i) => k[i]!)]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      num_heads: this.numHeads,
      key_dim: this.keyDim,
      value_dim: this.valueDim,
      dropout: this.dropout,
      use_bias: this.useBias,
      output_shape: this.outputShapeArg,
      attention_axes: this.attentionAxes,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
      seed: this.seed,
    };
  }
}
registerClass('layer', MultiHeadAttention, { module: 'keras.layers', className: 'MultiHeadAttention' });
