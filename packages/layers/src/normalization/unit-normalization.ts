import { type Config, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { resolveAxes } from './layer-normalization';

export interface UnitNormalizationArgs extends LayerArgs {
  /** Axis or axes along which to normalize (default -1). */
  axis?: number | number[];
}

/** `keras.layers.UnitNormalization`: `x / max(||x||_2, 1e-7)` over `axis` (Keras `ops.normalize`). */
export class UnitNormalization extends Layer {
  static override className = 'UnitNormalization';
  readonly axis: number | number[];

  constructor(args?: UnitNormalizationArgs);
  constructor(axis: number | number[], options?: Omit<UnitNormalizationArgs, 'axis'>);
  constructor(...args: unknown[]) {
    const a = positional<UnitNormalizationArgs>(['axis'], args);
    super(a);
    const axis = a.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.every(Number.isInteger)))) {
      throw new ValueError(`Invalid value for \`axis\` argument: expected an int or a list/tuple of ints. Received: axis=${JSON.stringify(axis)}`);
    }
    this.axis = Array.isArray(axis) ? [...axis] : axis;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const axes = resolveAxes(Array.isArray(this.axis) ? this.axis : [this.axis], x.shape, this.name);
    return tidy(() => {
      const xf = toFloat(x);
      const norm = ops.sqrt(ops.sum(ops.square(xf), axes, true));
      return ops.divide(xf, ops.maximum(norm, 1e-7));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}
registerClass('layer', UnitNormalization, { module: 'keras.layers', className: 'UnitNormalization' });
