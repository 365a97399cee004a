import { type Config, type Shape, type Tensor, formatShape, ops, registerClass, ShapeError, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface SoftmaxArgs extends LayerArgs {
  /** Axis or axes of the normalization (default -1). */
  axis?: number | number[];
}

/**
 * `keras.layers.Softmax`. With a mask (1 = keep), masked positions get -1e9 added before the
 * softmax and are zeroed after it, as in Keras 3.
 */
export class Softmax extends Layer {
  static override className = 'Softmax';
  readonly axis: number | number[];

  constructor(args?: SoftmaxArgs);
  constructor(axis: number | number[], options?: Omit<SoftmaxArgs, 'axis'>);
  constructor(...args: unknown[]) {
    const a = positional<SoftmaxArgs>(['axis'], args);
    super(a);
    this.axis = a.axis ?? -1;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const mask = (args.mask ?? null) as Tensor | null;
    return tidy(() => {
      let x = toFloat(inputs as Tensor);
      let m: Tensor | null = null;
      if (mask != null) {
        m = ops.cast(mask, x.dtype);
        try {
          x = ops.add(x, ops.multiply(ops.subtract(1, m), -1e9));
        } catch {
          throw new ShapeError(
            `Softmax "${this.name}": the mask of shape ${formatShape(mask.shape)} does not broadcast to the inputs of shape ${formatShape(x.shape)}.`,
          );
        }
      }
      let y: Tensor;
      if (Array.isArray(this.axis) && this.axis.length > 1) {
        y = ops.exp(ops.subtract(x, ops.logsumexp(x, this.axis, true)));
      } else {
        y = ops.softmax(x, Array.isArray(this.axis) ? this.axis[0] : this.axis);
      }
      return m != null ? ops.multiply(y, m) : y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}
registerClass('layer', Softmax, { module: 'keras.layers', className: 'Softmax' });
