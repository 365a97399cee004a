import { type Config, type Shape, ShapeError, type Tensor, formatShape, ops, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { checkMaskList } from './merge';

export interface ConcatenateArgs extends LayerArgs {
  axis?: number;
}

/** keras.layers.Concatenate: joins a list of tensors along `axis` (default the last). */
export class Concatenate extends Layer {
  static override className = 'Concatenate';
  readonly axis: number;

  constructor(axisOrArgs: number | ConcatenateArgs = {}, args: ConcatenateArgs = {}) {
    const opts = typeof axisOrArgs === 'number' ? { ...args, axis: axisOrArgs } : axisOrArgs;
    super(opts);
    this.axis = opts.axis ?? -1;
    this.supportsMasking = true;
  }

  private checkShapes(shapes: Shape[]): void {
    if (!Array.isArray(shapes[0]) || shapes.length < 1) {
      throw new ShapeError(`Layer "${this.name}" (Concatenate) must be called on a list of at least 1 input.`);
    }
    const rank = shapes[0]!.length;
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    for (const s of shapes) {
      const ok = s.length === rank && s.every((d, i) => i === axis || d == null || shapes[0]![i] == null || d === shapes[0]![i]);
      if (!ok) {
        throw new ShapeError(
          `Layer "${this.name}" (Concatenate) requires inputs with matching shapes except for the concatenation axis ${this.axis}. ` +
            `Received: input_shape=[${shapes.map(formatShape).join(', ')}]`,
        );
      }
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    this.checkShapes(inputShape as Shape[]);
  }

  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    const list = inputs as Tensor[];
    this.checkShapes(list.map((t) => t.shape));
    return ops.concatenate(list, this.axis < 0 ? list[0]!.rank + this.axis : this.axis);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    this.checkShapes(shapes);
    const rank = shapes[0]!.length;
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    const out = [...shapes[0]!];
    out[axis] = shapes.some((s) => s[axis] == null) ? null : shapes.reduce((n, s) => n + (s[axis] as number), 0);
    for (let i = 0; i < rank; i++) if (i !== axis && out[i] == null) out[i] = shapes.find((s) => s[i] != null)?.[i] ?? null;
    return out;
  }

  /**
   * Keras' `Concatenate.compute_mask`: every input's mask at the input's full shape (all true for
   * an unmasked input; a mask of lower rank is expanded over the trailing axis), concatenated along
   * `axis`, then reduced with ANY over the last axis.
   */
  override computeMask(inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
    const masks = checkMaskList(this, inputs, mask);
    if (masks == null || masks.every((m) => m == null)) return null;
    const list = inputs as Tensor[];
    return tidy(() => {
      const full = list.map((x, i) => {
        const m = masks[i];
        if (m == null) return ops.cast(ops.onesLike(x), 'bool');
        const b = m.dtype === 'bool' ? m : ops.notEqual(m, 0);
        if (m.rank >= x.rank) return b;
        try {
          return ops.broadcastTo(ops.expandDims(b, -1), x.shape);
        } catch {
          throw new ShapeError(
            `Layer "${this.name}" (Concatenate): mask ${i} of shape ${formatShape(m.shape)} cannot be broadcast to its input of shape ${formatShape(x.shape)}.`,
          );
        }
      });
      return ops.any(ops.concatenate(full, this.axis < 0 ? full[0]!.rank + this.axis : this.axis), -1);
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: this.axis };
  }
}
registerClass('layer', Concatenate, { module: 'keras.layers', className: 'Concatenate' });
