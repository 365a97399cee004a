import '../builtins';
import { type Config, type Shape, type Tensor, ValueError, type Variable, formatShape, ops, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { resolveAxes } from './layer-normalization';

export interface RMSNormalizationArgs extends LayerArgs {
  /** Axis or axes to normalize over (default -1). */
  axis?: number | number[];
  /** Added to the mean square for numerical stability (default 1e-6). */
  epsilon?: number;
}

/**
 * `keras.layers.RMSNormalization` (Keras 3.9+): `x * rsqrt(mean(x^2, axis) + epsilon) * scale`,
 * with a `scale` weight (ones) over the `axis` dimensions. As in Keras, an int `axis` becomes a
 * list once the layer is built.
 */
export class RMSNormalization extends Layer {
  static override className = 'RMSNormalization';

  axis: number | number[];
  readonly epsilon: number;
  scale: Variable | null = null;

  constructor(args?: RMSNormalizationArgs);
  constructor(axis: number | number[], options?: Omit<RMSNormalizationArgs, 'axis'>);
  constructor(...args: unknown[]) {
    const a = positional<RMSNormalizationArgs>(['axis', 'epsilon'], args);
    super(a);
    const axis = a.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(Number.isInteger)))) {
      throw new ValueError(`Expected an int or a list/tuple of ints for the argument 'axis', but received: ${JSON.stringify(axis)}`);
    }
    const epsilon = a.epsilon ?? 1e-6;
    if (typeof epsilon !== 'number' || !(epsilon >= 0)) {
      throw new ValueError(`RMSNormalization "${this.name}": epsilon must be a non-negative number. Received: epsilon=${String(epsilon)}`);
    }
    this.axis = Array.isArray(axis) ? [...axis] : axis;
    this.epsilon = epsilon;
    this.supportsMasking = true;
  }

  private get axes(): number[] {
    return Array.isArray(this.axis) ? this.axis : [this.axis];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const axes = resolveAxes(this.axes, shape, this.name);
    const paramShape = axes.map((a) => {
      const d = shape[a];
      if (d == null) {
        throw new ValueError(`Layer "${this.name}": axis ${a} of the inputs must have a defined size. Received input shape ${formatShape(shape)}.`);
      }
      return d;
    });
    this.scale = this.addWeight({ name: 'scale', shape: paramShape, initializer: 'ones' });
    this.axis = this.axes;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const axes = resolveAxes(this.axes, x.shape, this.name);
    const expected = this.scale!.shape;
    if (axes.some((a, i) => x.shape[a] !== expected[i])) {
      throw new ValueError(
        `Layer "${this.name}" was built for size(s) [${expected.join(', ')}] on axis ${JSON.stringify(this.axis)}, but received inputs of shape ${formatShape(x.shape)}.`,
      );
    }
    const broadcast = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    return tidy(() => {
      const xf = toFloat(x);
      const rrms = ops.rsqrt(ops.add(ops.mean(ops.square(xf), axes, true), this.epsilon));
      return ops.multiply(ops.multiply(xf, rrms), ops.reshape(this.scale!.value, broadcast));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis, epsilon: this.epsilon };
  }
}
registerClass('layer', RMSNormalization, { module: 'keras.layers', className: 'RMSNormalization' });
