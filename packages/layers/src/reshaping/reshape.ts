import { type Config, type Dim, type Shape, ShapeError, type Tensor, ValueError, formatShape, ops, registerClass } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { isOptionsObject } from '../utils/args';

export interface ReshapeArgs extends LayerArgs {
  /** Output shape without the batch axis; one entry may be -1 (inferred). */
  targetShape?: number[];
}

/** `keras.layers.Reshape`: reshapes `(batch, ...)` to `(batch, ...targetShape)`. */
export class Reshape extends Layer {
  static override className = 'Reshape';
  readonly targetShape: number[];

  constructor(targetShape: number[], options?: Omit<ReshapeArgs, 'targetShape'>);
  constructor(args: ReshapeArgs);
  constructor(targetShapeOrArgs: number[] | ReshapeArgs, options: Omit<ReshapeArgs, 'targetShape'> = {}) {
    const a: ReshapeArgs = isOptionsObject(targetShapeOrArgs)
      ? (targetShapeOrArgs as ReshapeArgs)
      : { ...options, targetShape: targetShapeOrArgs as number[] };
    super(a);
    const target = a.targetShape;
    if (!Array.isArray(target) || target.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      throw new ValueError(
        `Reshape: \`target_shape\` must be a list of positive integers (one may be -1). Received: target_shape=${JSON.stringify(target)}`,
      );
    }
    if (target.filter((d) => d === -1).length > 1) {
      throw new ValueError(
        `Reshape: there must be at most one unknown dimension (-1) in target_shape. Received: target_shape=${formatShape(target)}`,
      );
    }
    this.targetShape = [...target];
    this.built = true;
  }

  /** `target_shape` with its -1 resolved for `inputShape` (batch axis included); null if unknown. */
  private resolveTarget(inputShape: Shape): Dim[] {
    const rest = inputShape.slice(1);
    const known = rest.every((d) => d != null);
    const inputSize = known ? (rest as number[]).reduce((p, d) => p * d, 1) : null;
    const unknownAt = this.targetShape.indexOf(-1);
    const knownTarget = this.targetShape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const mismatch = () =>
      new ShapeError(
        `Layer "${this.name}" (Reshape) cannot reshape an input of shape ${formatShape(inputShape)} to target_shape ${formatShape(this.targetShape)} ` +
          `(output shape ${formatShape([inputShape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? null : d))])}): ` +
          'the total size of the tensor must be unchanged.',
      );
    if (unknownAt < 0) {
      if (inputSize != null && inputSize !== knownTarget) throw mismatch();
      return [...this.targetShape];
    }
    const out: Dim[] = [...this.targetShape];
    if (inputSize == null) {
      out[unknownAt] = null;
      return out;
    }
    if (inputSize % knownTarget !== 0) throw mismatch();
    out[unknownAt] = inputSize / knownTarget;
    return out;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const target = this.resolveTarget(x.shape);
    return ops.reshape(x, [x.shape[0]!, ...(target as number[])]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0] ?? null, ...this.resolveTarget(shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}
registerClass('layer', Reshape, { module: 'keras.layers', className: 'Reshape' });
