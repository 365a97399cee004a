import { type Config, ops, registerClass, type Shape, type Tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface MaskingArgs extends LayerArgs {
  /** Timesteps whose features all equal this value are masked (default 0). */
  maskValue?: number;
}

/**
 * `keras.layers.Masking`: masks timesteps whose features all equal `maskValue`; the output is the
 * input with masked timesteps zeroed, and its mask is `any(x != maskValue, axis=-1)`.
 */
export class Masking extends Layer {
  static override className = 'Masking';
  readonly maskValue: number;

  constructor(maskValue?: number, options?: Omit<MaskingArgs, 'maskValue'>);
  constructor(args?: MaskingArgs);
  constructor(...args: unknown[]) {
    const a = positional<MaskingArgs>(['maskValue'], args);
    super(a);
    this.maskValue = a.maskValue ?? 0.0;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    // keep = any(x != mask_value, axis=-1) as 0/1, through ops that have gradients (Any has none in tfjs).
    return tidy(() => ops.multiply(x, ops.sign(ops.max(ops.abs(ops.subtract(x, this.maskValue)), -1, true))));
  }

  override computeMask(inputs: LayerOutput): Tensor {
    return ops.any(ops.notEqual(inputs as Tensor, this.maskValue), -1);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }
}
registerClass('layer', Masking, { module: 'keras.layers', className: 'Masking' });
