import { type Config, type Dim, type Shape, ShapeError, type Tensor, ValueError, formatShape, ops, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';

const list = (shapes: readonly (Shape | null)[]) => `[${shapes.map((s) => (s == null ? 'None' : formatShape(s))).join(', ')}]`;

/**
 * The base of Keras' elementwise merge layers (`keras.layers.Merge`): a list of inputs whose
 * non-batch shapes broadcast (trailing axes aligned; lower-rank inputs get size-1 axes after the
 * batch axis), combined by `mergeFunction`.
 */
export abstract class Merge extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  protected abstract mergeFunction(inputs: Tensor[]): Tensor;

  /** Broadcast of two non-batch shapes, or a ShapeError naming the layer and every input shape. */
  protected elementwiseShape(a: Dim[] | null, b: Dim[] | null, all: readonly Shape[]): Dim[] | null {
    if (a == null || b == null) return null;
    if (a.length < b.length) return this.elementwiseShape(b, a, all);
    const out: Dim[] = a.slice(0, a.length - b.length);
    a.slice(a.length - b.length).forEach((i, k) => {
      const j = b[k]!;
      if (i == null || j == null) out.push(null);
      else if (i === 1) out.push(j);
      else if (j === 1) out.push(i);
      else if (i !== j) {
        throw new ShapeError(
          `Layer "${this.name}" (${this.className}): inputs have incompatible shapes. Received shapes ${formatShape(a)} and ${formatShape(b)} (input shapes ${list(all)}).`,
        );
      } else out.push(i);
    });
    return out;
  }

  protected checkShapes(inputShape: Shape | Shape[]): Dim[] | null {
    if (!Array.isArray(inputShape[0])) {
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): a merge layer should be called on a list of inputs. Received: input_shape=${formatShape(inputShape as Shape)} (not a list of shapes)`,
      );
    }
    const shapes = inputShape as Shape[];
    if (shapes.length < 1) {
      throw new ValueError(`Layer "${this.name}" (${this.className}): a merge layer should be called on a list of at least 1 input.`);
    }
    const batch = new Set(shapes.map((s) => s[0]).filter((d) => d != null));
    if (batch.size > 1) {
      throw new ShapeError(
        `Layer "${this.name}" (${this.className}): cannot merge tensors with different batch sizes. Received tensors with shapes ${list(shapes)}`,
      );
    }
    let out: Dim[] | null = shapes[0]!.slice(1);
    for (const s of shapes.slice(1)) out = this.elementwiseShape(out, s.slice(1), shapes);
    return out;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.checkShapes(inputShape);
    this.built = true;
  }

  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    if (!Array.isArray(inputs)) {
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): a merge layer should be called on a list of inputs. Received: a tensor of shape ${formatShape(inputs.shape)} (not a list of tensors)`,
      );
    }
    this.checkShapes(inputs.map((t) => t.shape));
    const maxRank = Math.max(...inputs.map((t) => t.rank));
    return tidy(() => {
      const aligned = inputs.map((t) => {
        let x = t;
        for (let r = t.rank; r < maxRank; r++) x = ops.expandDims(x, 1);
        return x;
      });
      return this.mergeFunction(aligned);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const out = this.checkShapes(inputShape) ?? [];
    const batch = [...new Set((inputShape as Shape[]).map((s) => s[0]).filter((d) => d != null))];
    return [batch.length === 1 ? batch[0]! : null, ...out];
  }

  /** Keras: the AND of the given masks, or none. */
  override computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
    if (mask == null) return null;
    const masks = (Array.isArray(mask) ? mask : [mask]).filter((m): m is Tensor => m != null);
    if (masks.length === 0) return null;
    return tidy(() => ops.all(ops.stack(masks.map((m) => ops.cast(m, 'bool')), 0), 0));
  }

  override getConfig(): Config {
    return super.getConfig();
  }
}

/** Folds `op` over the inputs, left to right. */
export function fold(inputs: Tensor[], op: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return inputs.slice(1).reduce(op, inputs[0]!);
}
