import { type Config, type Shape, type Tensor, ValueError, registerClass, tidy } from '@strata/core';
import { relu } from '../activations/activations';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface ReLUArgs extends LayerArgs {
  /** Saturation value (default none). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Values below it are zeroed or scaled by `negativeSlope` (default 0). */
  threshold?: number;
}

/** `keras.layers.ReLU`: `keras.activations.relu` with `max_value`, `negative_slope`, `threshold`. */
export class ReLU extends Layer {
  static override className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args?: ReLUArgs);
  constructor(maxValue: number | null, options?: Omit<ReLUArgs, 'maxValue'>);
  constructor(...args: unknown[]) {
    const a = positional<ReLUArgs>(['maxValue', 'negativeSlope', 'threshold'], args);
    super(a);
    const maxValue = a.maxValue ?? null;
    const negativeSlope = a.negativeSlope ?? 0;
    const threshold = a.threshold ?? 0;
    if (maxValue != null && maxValue < 0) {
      throw new ValueError(`max_value of a ReLU layer cannot be a negative value. Received: max_value=${maxValue}`);
    }
    if (negativeSlope == null || negativeSlope < 0) {
      throw new ValueError(`negative_slope of a ReLU layer cannot be a negative value. Received: negative_slope=${negativeSlope}`);
    }
    if (threshold == null || threshold < 0) {
      throw new ValueError(`threshold of a ReLU layer cannot be a negative value. Received: threshold=${threshold}`);
    }
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() =>
      relu(toFloat(inputs as Tensor), { maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold }),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), max_value: this.maxValue, negative_slope: this.negativeSlope, threshold: this.threshold };
  }
}
registerClass('layer', ReLU, { module: 'keras.layers', className: 'ReLU' });
