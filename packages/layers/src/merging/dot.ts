import { type Config, type Dim, type Shape, ShapeError, type Tensor, ValueError, formatShape, ops, registerClass, tidy } from '@strata/core';
import type { LayerArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { Merge } from './merge';

export interface DotArgs extends LayerArgs {
  /** Axis (or one axis per input) to contract; the batch axis 0 cannot be used. */
  axes?: number | [number, number];
  /** L2-normalize both inputs along `axes` first (cosine proximity). */
  normalize?: boolean;
}

/** `keras.layers.Dot`: the batchwise dot product of two inputs along `axes` (Keras `batch_dot`). */
export class Dot extends Merge {
  static override className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(axes: number | [number, number], options?: Omit<DotArgs, 'axes'>);
  constructor(args: DotArgs);
  constructor(...args: unknown[]) {
    const a = positional<DotArgs>(['axes', 'normalize'], args);
    super(a);
    const axes = a.axes;
    if (!Number.isInteger(axes)) {
      if (!Array.isArray(axes)) throw new ValueError(`Invalid type for argument \`axes\`: it should be a list or an int. Received: axes=${JSON.stringify(axes)}`);
      if (axes.length !== 2) throw new ValueError(`Invalid format for argument \`axes\`: it should contain two elements. Received: axes=${JSON.stringify(axes)}`);
      if (!axes.every(Number.isInteger)) {
        throw new ValueError(`Invalid format for argument \`axes\`: list elements should be integers. Received: axes=${JSON.stringify(axes)}`);
      }
    }
    this.axes = Array.isArray(axes) ? [axes[0], axes[1]] : (axes as number);
    this.normalize = a.normalize ?? false;
  }

  private resolved(r1: number, r2: number): [number, number] {
    const [a, b] = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    const mod = (x: number, r: number) => ((x % r) + r) % r;
    return [a < 0 ? mod(a, r1) : a, b < 0 ? mod(b, r2) : b];
  }

  protected override checkShapes(inputShape: Shape | Shape[]): Dim[] | null {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) {
      throw new ValueError(`Layer "${this.name}" (Dot) should be called on a list of 2 inputs. Received: ${shapes.length} input(s)`);
    }
    const [s1, s2] = shapes as [Shape, Shape];
    const full = `Full input shapes: ${formatShape(s1)}, ${formatShape(s2)}`;
    if (s1.length < 2 || s2.length < 2) throw new ShapeError(`Layer "${this.name}" (Dot) needs inputs of rank >= 2. ${full}`);
    const [a1, a2] = this.resolved(s1.length, s2.length);
    if (a1 === 0 || a2 === 0 || a1 >= s1.length || a2 >= s2.length) {
      throw new ShapeError(`Layer "${this.name}" (Dot): invalid axes ${JSON.stringify(this.axes)} (the batch axis 0 cannot be contracted). ${full}`);
    }
    if (s1[0] != null && s2[0] != null && s1[0] !== s2[0]) throw new ShapeError(`Layer "${this.name}" (Dot): batch sizes differ. ${full}`);
    if (s1[a1] != null && s2[a2] != null && s1[a1] !== s2[a2]) {
      throw new ShapeError(
        `Layer "${this.name}" (Dot): incompatible input shapes: axis values ${s1[a1]} (at axis ${a1}) != ${s2[a2]} (at axis ${a2}). ${full}`,
      );
    }
    return null;
  }

  override call(inputs: LayerOutput): Tensor {
    const list = inputs as Tensor[];
    this.checkShapes(list.map((t) => t.shape));
    return tidy(() => this.mergeFunction(list));
  }

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let [x, y] = inputs as [Tensor, Tensor];
    const [a0, a1] = this.resolved(x.rank, y.rank);
    if (this.normalize) {
      x = ops.divide(x, ops.maximum(ops.sqrt(ops.sum(ops.square(x), a0, true)), 1e-7));
      y = ops.divide(y, ops.maximum(ops.sqrt(ops.sum(ops.square(y), a1, true)), 1e-7));
    }
    return batchDot(x, y, a0, a1);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    this.checkShapes(inputShape);
    const [s1, s2] = (inputShape as Shape[]).map((s) => [...s]) as [Dim[], Dim[]];
    const [a1, a2] = this.resolved(s1.length, s2.length);
    s1.splice(a1, 1);
    s2.splice(a2, 1);
    s2.shift();
    const out = [...s1, ...s2];
    if (out.length === 1) out.push(1);
    return out;
  }

  override computeMask(): null {
    return null;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axes: Array.isArray(this.axes) ? [...this.axes] : this.axes, normalize: this.normalize };
  }
}
registerClass('layer', Dot, { module: 'keras.layers', className: 'Dot' });

/** Keras' `batch_dot` for positive axes a0 (of x) and a1 (of y), both > 0. */
function batchDot(x: Tensor, y: Tensor, a0: number, a1: number): Tensor {
  const xRank0 = x.rank;
  const yRank0 = y.rank;
  if (x.rank === 2) {
    x = ops.expandDims(x, 1);
    a0 += 1;
  }
  if (y.rank === 2) y = ops.expandDims(y, 2);
  if (a0 !== x.rank - 1) {
    const p = [...Array(x.rank).keys()].filter((i) => i !== a0);
    x = ops.transpose(x, [...p, a0]);
  }
  if (a1 !== 1) {
    const p = [...Array(y.rank).keys()].filter((i) => i !== a1 && i !== 0);
    y = ops.transpose(y, [0, a1, ...p]);
  }
  const xMid = x.shape.slice(1, -1);
  const yTrail = y.shape.slice(2);
  if (x.rank > 3) x = ops.reshape(x, [x.shape[0]!, -1, x.shape[x.rank - 1]!]);
  if (y.rank > 3) y = ops.reshape(y, [y.shape[0]!, y.shape[1]!, -1]);
  let out = ops.matmul(x, y);
  out = ops.reshape(out, [out.shape[0]!, ...xMid, ...yTrail]);
  if (xRank0 === 2) out = ops.squeeze(out, 1);
  else if (yRank0 === 2) out = ops.squeeze(out, -1);
  return out;
}
