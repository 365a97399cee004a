import '../builtins';
import { type Config, type Shape, type Tensor, ops, registerClass } from '@strata/core';
import { positional } from '../utils/args';
import { Attention, type AttentionArgs } from './attention';

export interface AdditiveAttentionArgs extends Omit<AttentionArgs, 'scoreMode'> {}

/**
 * `keras.layers.AdditiveAttention` (Bahdanau-style): scores are
 * `sum(scale * tanh(query[:, :, None] + key[:, None]), -1)`, with a learned `scale` of shape
 * `(dim,)` (glorot_uniform) when `use_scale` (the default).
 */
export class AdditiveAttention extends Attention {
  static override className = 'AdditiveAttention';

  constructor(args?: AdditiveAttentionArgs);
  constructor(useScale: boolean, dropout?: number, options?: AdditiveAttentionArgs);
  constructor(...args: unknown[]) {
    const a = positional<AdditiveAttentionArgs>(['useScale', 'dropout'], args);
    super({ ...a, scoreMode: 'dot' });
  }

  protected override defaultUseScale(): boolean {
    return true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q] = this.shapesOf(inputShape);
    if (this.useScale) this.scale = this.addWeight({ name: 'scale', shape: [q[q.length - 1] as number], initializer: 'glorot_uniform' });
    this.built = true;
  }

  protected override calculateScores(query: Tensor, key: Tensor): Tensor {
    const t = ops.tanh(ops.add(ops.expandDims(query, -2), ops.expandDims(key, -3))); // (B, Tq, Tv, dim)
    return ops.sum(this.scale != null ? ops.multiply(this.scale.value, t) : t, -1);
  }

  override getConfig(): Config {
    const { score_mode: _drop, ...config } = super.getConfig();
    return config;
  }
}
registerClass('layer', AdditiveAttention, { module: 'keras.layers', className: 'AdditiveAttention' });
