import { type Config, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for negative inputs (Keras 3 layer default 0.3). */
  negativeSlope?: number;
  /** Deprecated Keras 2 name of `negativeSlope`. */
  alpha?: number;
}

/** `keras.layers.LeakyReLU`: `x` for `x >= 0`, `negative_slope * x` otherwise. */
export class LeakyReLU extends Layer {
  static override className = 'LeakyReLU';
  readonly negativeSlope: number;

  constructor(args?: LeakyReLUArgs);
  constructor(negativeSlope: number, options?: Omit<LeakyReLUArgs, 'negativeSlope'>);
  constructor(...args: unknown[]) {
    const a = positional<LeakyReLUArgs>(['negativeSlope'], args);
    const { alpha, ...rest } = a;
    super(rest);
    const slope = alpha ?? a.negativeSlope ?? 0.3;
    if (slope == null || !(slope >= 0)) {
      throw new ValueError(`The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. Received: negative_slope=${slope}`);
    }
    this.negativeSlope = slope;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => ops.leakyRelu(toFloat(inputs as Tensor), this.negativeSlope));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), negative_slope: this.negativeSlope };
  }
}
registerClass('layer', LeakyReLU, { module: 'keras.layers', className: 'LeakyReLU' });
