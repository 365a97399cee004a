import '../builtins';
import {
  type Config,
  type Dim,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  type Variable,
  convertToTensor,
  epsilon,
  formatShape,
  isTensor,
  ops,
  registerClass,
  tensor,
  tidy,
} from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface NormalizationArgs extends LayerArgs {
  /** Axis or axes that keep a separate mean and variance; `null` means one scalar mean/variance. */
  axis?: number | number[] | null;
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Whether to apply the inverse transform (`mean + x * std`). */
  invert?: boolean;
}

type NestedNumbers = number | NestedNumbers[];

/** `np.shape` of a number or nested list. */
function nestedShape(v: NestedNumbers): number[] {
  const shape: number[] = [];
  let cur: NestedNumbers = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedNumbers;
  }
  return shape;
}

/**
 * `keras.layers.Normalization`: `(x - mean) / max(sqrt(var), epsilon)` with per-`axis` statistics
 * (kept axes sorted, as Keras), given as `mean`/`variance` (their dims aligned with the kept axes
 * from the right, then broadcast) or learned by `adapt(data)` (population variance, like Keras).
 */
export class Normalization extends Layer {
  static override className = 'Normalization';

  readonly axis: number[];
  readonly invert: boolean;
  readonly inputMean: NestedNumbers | null;
  readonly inputVariance: NestedNumbers | null;
  adaptMean: Variable | null = null;
  adaptVariance: Variable | null = null;
  private broadcastShape: number[] | null = null;
  private kept: number[] = [];

  constructor(axis?: number | number[] | null, mean?: number | number[] | null, variance?: number | number[] | null, options?: Omit<NormalizationArgs, 'axis' | 'mean' | 'variance'>);
  constructor(args: NormalizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<NormalizationArgs>(['axis', 'mean', 'variance'], args);
    super(a);
    const axis = a.axis === undefined ? -1 : a.axis;
    this.axis = axis == null ? [] : typeof axis === 'number' ? [axis] : [...axis];
    if (!this.axis.every((v) => Number.isInteger(v))) {
      throw new ValueError(`Normalization: \`axis\` must be an integer, a list of integers or null. Received: axis=${JSON.stringify(a.axis)}`);
    }
    if ((a.mean == null) !== (a.variance == null)) {
      throw new ValueError(
        `Normalization: when setting values directly, both \`mean\` and \`variance\` must be set. Received: mean=${JSON.stringify(a.mean)} and variance=${JSON.stringify(a.variance)}`,
      );
    }
    this.inputMean = (a.mean as NestedNumbers | null | undefined) ?? null;
    this.inputVariance = (a.variance as NestedNumbers | null | undefined) ?? null;
    if (this.inputMean != null) {
      const ms = nestedShape(this.inputMean);
      const vs = nestedShape(this.inputVariance!);
      if (ms.length !== vs.length || ms.some((d, i) => d !== vs[i])) {
        throw new ValueError(
          `Normalization: when setting values directly, \`mean\` and \`variance\` must have the same shape. Received: mean shape ${formatShape(ms)} and variance shape ${formatShape(vs)}`,
        );
      }
      if (ms.length > this.axis.length) {
        throw new ValueError(
          `Normalization: the rank of \`mean\` must be less than or equal to the number of axes (${this.axis.length}). Received: mean shape ${formatShape(ms)} for axis ${JSON.stringify(this.axis)}`,
        );
      }
    }
    this.invert = a.invert ?? false;
    this.supportsMasking = true;
  }

  /** The kept axes, made non-negative and sorted (as Keras' `_keep_axis`). */
  private keptAxes(rank: number, shape: readonly Dim[]): number[] {
    const kept = this.axis.map((ax) => {
      const p = ax < 0 ? ax + rank : ax;
      if (p < 0 || p >= rank) {
        throw new ValueError(`Normalization "${this.name}": axis ${ax} is out of range for input shape ${formatShape(shape as Dim[])}.`);
      }
      return p;
    });
    return kept.sort((p, q) => p - q);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const rank = shape.length;
    const kept = this.keptAxes(rank, shape);
    for (const p of kept) {
      if (shape[p] == null) {
        throw new ValueError(
          `Normalization "${this.name}": all \`axis\` values must have a defined shape. Received input shape ${formatShape(shape)} and axis=${JSON.stringify(this.axis)}`,
        );
      }
    }
    this.broadcastShape = shape.map((d, i) => (kept.includes(i) ? d! : 1));
    this.kept = kept;
    const varShape = kept.map((p) => shape[p]!);
    if (this.inputMean == null) {
      this.adaptMean = this.addWeight({ name: 'mean', shape: varShape, initializer: 'zeros', trainable: false });
      this.adaptVariance = this.addWeight({ name: 'variance', shape: varShape, initializer: 'ones', trainable: false });
      // Keras keeps an int `count` for older saved models; its weight files carry it, so loading
      // them (and Keras loading ours) needs the same three variables.
      this.addWeight({ name: 'count', shape: [], dtype: 'int32', initializer: 'zeros', trainable: false });
    }
    this.built = true;
  }

  /**
   * Computes the mean and (population) variance of `data` over every axis but `axis` and stores them.
   * `data` is a tensor, a nested array, or an array of batches (tensors) that are concatenated.
   */
  async adapt(data: TensorLike | Tensor[]): Promise<void> {
    this.adaptSync(data);
  }

  /** The synchronous form of `adapt`. */
  adaptSync(data: TensorLike | Tensor[]): void {
    if (this.inputMean != null) {
      throw new ValueError(`Normalization "${this.name}": cannot adapt a layer created with \`mean\` and \`variance\`.`);
    }
    tidy(() => {
      const x =
        Array.isArray(data) && data.length > 0 && isTensor(data[0])
          ? ops.concatenate((data as Tensor[]).map((t) => ops.cast(t, 'float32')), 0)
          : ops.cast(convertToTensor(data as TensorLike), 'float32');
      if (!this.built) {
        this.build(x.shape);
        this.built = true;
        this.buildInputShape = [...x.shape];
      }
      const kept = this.keptAxes(x.rank, x.shape);
      const expected = this.adaptMean!.shape;
      const got = kept.map((p) => x.shape[p]!);
      if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
        throw new ValueError(
          `Normalization "${this.name}": adapt data of shape ${formatShape(x.shape)} does not match the built statistics shape ${formatShape(expected)} (axis=${JSON.stringify(this.axis)}).`,
        );
      }
      const reduce = x.shape.map((_, i) => i).filter((i) => !kept.includes(i));
      const { mean, variance } = ops.moments(x, reduce);
      this.adaptMean!.assign(ops.reshape(mean, expected));
      this.adaptVariance!.assign(ops.reshape(variance, expected));
    });
  }

  private stats(): [Tensor, Tensor] {
    const shape = this.broadcastShape!;
    if (this.inputMean != null) {
      // Keras aligns the dims of a given mean/variance with the kept axes from the right.
      const ms = nestedShape(this.inputMean);
      const expanded = shape.map(() => 1);
      for (let i = 1; i <= ms.length; i++) expanded[this.kept[this.kept.length - i]!] = ms[ms.length - i]!;
      const m = ops.reshape(tensor(this.inputMean as number[], undefined, 'float32'), expanded);
      const v = ops.reshape(tensor(this.inputVariance as number[], undefined, 'float32'), expanded);
      return [ops.broadcastTo(m, shape), ops.broadcastTo(v, shape)];
    }
    return [ops.reshape(this.adaptMean!.value, shape), ops.reshape(this.adaptVariance!.value, shape)];
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      const x0 = inputs as Tensor;
      const x = x0.dtype === 'float32' ? x0 : ops.cast(x0, 'float32');
      if (this.broadcastShape != null && this.broadcastShape.length !== x.rank) {
        throw new ValueError(
          `Normalization "${this.name}": expected inputs of rank ${this.broadcastShape.length}, but received input shape ${formatShape(x.shape)}.`,
        );
      }
      const [mean, variance] = this.stats();
      const std = ops.maximum(ops.sqrt(variance), epsilon());
      return this.invert ? ops.add(mean, ops.multiply(x, std)) : ops.divide(ops.subtract(x, mean), std);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axis: [...this.axis],
      invert: this.invert,
      mean: this.inputMean as Config[string],
      variance: this.inputVariance as Config[string],
    };
  }
}
registerClass('layer', Normalization, { module: 'keras.layers', className: 'Normalization' });
