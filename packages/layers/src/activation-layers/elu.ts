import { type Config, type Shape, type Tensor, ops, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/** `keras.layers.ELU`: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise. */
export class ELU extends Layer {
  static override className = 'ELU';
  readonly alpha: number;

  constructor(args?: ELUArgs);
  constructor(alpha: number, options?: Omit<ELUArgs, 'alpha'>);
  constructor(...args: unknown[]) {
    const a = positional<ELUArgs>(['alpha'], args);
    super(a);
    this.alpha = a.alpha ?? 1.0;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      const x = toFloat(inputs as Tensor);
      if (this.alpha === 1) return ops.elu(x);
      // max(x, 0) + alpha * expm1(min(x, 0)); core's ops.elu(x, alpha) has no gradient (Greater).
      return ops.add(ops.relu(x), ops.multiply(ops.expm1(ops.minimum(x, 0)), this.alpha));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  /** Keras 3's ELU has no get_config of its own; `alpha` is added so the layer round-trips. */
  override getConfig(): Config {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
registerClass('layer', ELU, { module: 'keras.layers', className: 'ELU' });
