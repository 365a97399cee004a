import { type Config, type Dim, type Shape, ShapeError, type Tensor, ValueError, formatShape, ops, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput, getMask } from '../layer';

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

  /**
   * Combines the rank-aligned inputs. `masks[i]` is input i's mask as Keras' `_merge_function`
   * sees it (`x._keras_mask`): inputs expanded to the common rank are new tensors without one.
   */
  protected abstract mergeFunction(inputs: Tensor[], masks: (Tensor | null)[]): Tensor;

  /** A `(batch, ...)` mask as a boolean tensor of `x`'s shape (Keras: expand the last axis, broadcast). */
  protected broadcastMask(mask: Tensor, x: Tensor): Tensor {
    const m = mask.dtype === 'bool' ? mask : ops.notEqual(mask, 0);
    const expanded = ops.expandDims(m, -1);
    const fits = expanded.rank === x.rank && expanded.shape.every((d, i) => d === 1 || d === x.shape[i]);
    if (!fits) {
      throw new ShapeError(
        `Layer "${this.name}" (${this.className}): a mask of shape ${formatShape(mask.shape)} cannot be broadcast to its input of shape ${formatShape(x.shape)} (the mask needs the input's shape without the last axis).`,
      );
    }
    return ops.broadcastTo(expanded, x.shape);
  }

  /**
   * Keras' `_apply_merge_op_and_or_mask` (Maximum, Minimum: no identity element). Each masked
   * entry of an input is replaced by the running result, and while every input so far is masked
   * the running result's masked entries by the input's, so masked entries never win; the output
   * mask (the OR of all masks) is left to `computeMask`.
   */
  protected applyMergeOpAndOrMask(op: (a: Tensor, b: Tensor) => Tensor, inputs: Tensor[], masks: (Tensor | null)[]): Tensor {
    let output = inputs[0]!;
    let outputMask = masks[0] == null ? null : this.broadcastMask(masks[0], output);
    for (let i = 1; i < inputs.length; i++) {
      let x = inputs[i]!;
      const mask = masks[i] == null ? null : this.broadcastMask(masks[i]!, x);
      if (mask != null) x = ops.where(mask, x, output);
      if (outputMask != null) output = ops.where(outputMask, output, x);
      outputMask = mask != null && outputMask != null ? ops.logicalOr(outputMask, mask) : null;
      output = op(output, x);
    }
    return output;
  }

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

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    if (!Array.isArray(inputs)) {
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): a merge layer should be called on a list of inputs. Received: a tensor of shape ${formatShape(inputs.shape)} (not a list of tensors)`,
      );
    }
    this.checkShapes(inputs.map((t) => t.shape));
    const maxRank = Math.max(...inputs.map((t) => t.rank));
    const given = Array.isArray(args.mask) ? args.mask : inputs.map(getMask);
    // Only inputs already at the common rank reach Keras' merge function with their mask.
    const masks = inputs.map((t, i) => (t.rank === maxRank ? (given[i] ?? null) : null));
    return tidy(() => {
      const aligned = inputs.map((t) => {
        let x = t;
        for (let r = t.rank; r < maxRank; r++) x = ops.expandDims(x, 1);
        return x;
      });
      return this.mergeFunction(aligned, masks);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const out = this.checkShapes(inputShape) ?? [];
    const batch = [...new Set((inputShape as Shape[]).map((s) => s[0]).filter((d) => d != null))];
    return [batch.length === 1 ? batch[0]! : null, ...out];
  }

  /**
   * Keras' `Merge.compute_mask`: the OR of the inputs' masks (a step is kept if any input keeps
   * it), or none as soon as one input has no mask.
   */
  override computeMask(inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
    const masks = checkMaskList(this, inputs, mask);
    if (masks == null || masks.some((m) => m == null)) return null;
    if (masks.length === 1) return masks[0]!;
    return tidy(() => (masks as Tensor[]).map(asBool).reduce((a, b) => ops.logicalOr(a, b)));
  }

  override getConfig(): Config {
    return super.getConfig();
  }
}

const asBool = (m: Tensor): Tensor => (m.dtype === 'bool' ? m : ops.notEqual(m, 0));

/**
 * Keras' argument checks of the merge layers' `compute_mask`: `null` for no mask, else the mask
 * list, which must pair up with a list of inputs.
 */
export function checkMaskList(
  layer: Layer,
  inputs: LayerOutput,
  mask: Tensor | (Tensor | null)[] | null | undefined,
): (Tensor | null)[] | null {
  if (mask == null) return null;
  if (!Array.isArray(mask)) {
    throw new ValueError(`Layer "${layer.name}" (${layer.className}): \`mask\` should be a list. Received: mask=a tensor of shape ${formatShape(mask.shape)}`);
  }
  if (!Array.isArray(inputs)) {
    throw new ValueError(`Layer "${layer.name}" (${layer.className}): \`inputs\` should be a list. Received: inputs=a tensor of shape ${formatShape(inputs.shape)}`);
  }
  if (mask.length !== inputs.length) {
    throw new ValueError(
      `Layer "${layer.name}" (${layer.className}): the lists \`inputs\` and \`mask\` should have the same length. Received: inputs of length ${inputs.length}, and mask of length ${mask.length}`,
    );
  }
  return mask;
}

/** Folds `op` over the inputs, left to right. */
export function fold(inputs: Tensor[], op: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return inputs.slice(1).reduce(op, inputs[0]!);
}
