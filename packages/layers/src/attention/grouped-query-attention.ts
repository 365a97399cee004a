import '../builtins';
import { type Config, type Shape, ShapeError, type Tensor, ValueError, formatShape, ops, registerClass } from '@strata/core';
import { Layer } from '../layer';
import { serializeConstraint } from '../constraints/constraint';
import { serializeInitializer } from '../initializers/initializer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './multi-head-attention';
import type { AttentionProjection } from './projection';

export interface GroupedQueryAttentionArgs
  extends Omit<MultiHeadAttentionArgs, 'numHeads' | 'keyDim' | 'valueDim' | 'outputShape' | 'attentionAxes'> {
  headDim?: number;
  numQueryHeads?: number;
  /** Must divide `numQueryHeads`; each key/value head serves `numQueryHeads / numKeyValueHeads` query heads. */
  numKeyValueHeads?: number;
}

/**
 * `keras.layers.GroupedQueryAttention` on `(batch, T, dim)` inputs: query kernel
 * `(dim, num_query_heads, head_dim)`, key/value kernels `(dim, num_key_value_heads, head_dim)`,
 * output kernel `(num_query_heads, head_dim, dim)`; key/value heads are repeated to match the
 * query heads. Called like MultiHeadAttention.
 */
export class GroupedQueryAttention extends MultiHeadAttention {
  static override className = 'GroupedQueryAttention';

  readonly headDim: number;
  readonly numQueryHeads: number;
  readonly numKeyValueHeads: number;
  readonly numRepeats: number;

  constructor(headDim: number, numQueryHeads: number, numKeyValueHeads: number, options?: GroupedQueryAttentionArgs);
  constructor(args: GroupedQueryAttentionArgs);
  constructor(...args: unknown[]) {
    const a = positional<GroupedQueryAttentionArgs>(['headDim', 'numQueryHeads', 'numKeyValueHeads', 'dropout', 'useBias'], args);
    const { headDim, numQueryHeads, numKeyValueHeads, ...rest } = a;
    super({ ...rest, numHeads: numQueryHeads, keyDim: headDim, valueDim: headDim });
    if (typeof numKeyValueHeads !== 'number' || !Number.isInteger(numKeyValueHeads) || numKeyValueHeads <= 0) {
      throw new ValueError(`Received an invalid value for \`num_key_value_heads\`. Received: num_key_value_heads=${String(numKeyValueHeads)}`);
    }
    if (this.numHeads % numKeyValueHeads !== 0) {
      throw new ValueError('`num_query_heads` must be divisible by `num_key_value_heads`.');
    }
    this.headDim = this.keyDim;
    this.numQueryHeads = this.numHeads;
    this.numKeyValueHeads = numKeyValueHeads;
    this.numRepeats = this.numHeads / numKeyValueHeads;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = this.shapesOf(inputShape);
    for (const [what, s] of [['query', shapes[0]], ['value', shapes[1]], ['key', shapes[2]]] as const) {
      if (s.length !== 3) {
        throw new ShapeError(`Layer "${this.name}" expects ${what} of rank 3 (batch, T, dim). Received ${what} shape ${formatShape(s)}.`);
      }
    }
    super.build(inputShape);
  }

  protected override projection(name: string, contractAxes: number, outputShape: number[]): AttentionProjection {
    const heads = name === 'key' || name === 'value' ? [this.numKeyValueHeads, ...outputShape.slice(1)] : outputShape;
    return super.projection(name, contractAxes, heads);
  }

  protected override projectKeyValue(key: Tensor, value: Tensor): [Tensor, Tensor] {
    const [k, v] = super.projectKeyValue(key, value);
    if (this.numRepeats === 1) return [k, v];
    return [ops.repeat(k, this.numRepeats, 2), ops.repeat(v, this.numRepeats, 2)];
  }

  override getConfig(): Config {
    return {
      ...Layer.prototype.getConfig.call(this),
      head_dim: this.headDim,
      num_query_heads: this.numQueryHeads,
      num_key_value_heads: this.numKeyValueHeads,
      use_bias: this.useBias,
      dropout: this.dropout,
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
registerClass('layer', GroupedQueryAttention, { module: 'keras.layers', className: 'GroupedQueryAttention' });
