import { type Config, formatShape, ops, type Shape, ShapeError, type Tensor, tensor, tidy, ValueError } from '@strata/core';
import { InputSpec } from '../input-spec';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import {
  convOutputLength,
  type DataFormat,
  isOptionsObject,
  normalizeDataFormat,
  normalizePadding,
  normalizeTuple,
  type Padding,
  positional,
} from '../utils/args';
import { toFloat } from '../utils/tensors';

export type PoolMode = 'max' | 'average';

/** TF/Keras 'same' padding of one axis: `[before, after]` (the extra one goes after). */
export function samePadding(length: number, kernel: number, stride: number): [number, number] {
  const out = Math.floor((length - 1) / stride) + 1;
  const total = Math.max((out - 1) * stride + kernel - length, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Moves the channel axis of a channels_first tensor last (and back with `inverse`). */
export function toChannelsLast(x: Tensor, dataFormat: DataFormat, inverse = false): Tensor {
  if (dataFormat === 'channels_last' || x.rank < 3) return x;
  const n = x.rank;
  const perm = inverse
    ? [0, n - 1, ...Array.from({ length: n - 2 }, (_, i) => i + 1)]
    : [0, ...Array.from({ length: n - 2 }, (_, i) => i + 2), 1];
  return ops.transpose(x, perm);
}

/**
 * Pools one spatial `axis` of a channels_last tensor with a 1-D window (differentiable). Pooling
 * windows are boxes, so an N-D pool is these 1-D pools one axis after the other. Average pooling
 * with 'same' divides by the number of real (unpadded) entries, as Keras/TF do.
 */
function poolAxis(x: Tensor, axis: number, kernel: number, stride: number, padding: Padding, mode: PoolMode): Tensor {
  const shape = x.shape;
  const length = shape[axis]!;
  const p = shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const q = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  let x4 = ops.reshape(x, [p, length, 1, q]);
  let y: Tensor;
  const out = convOutputLength(length, kernel, stride, padding)!;
  if (mode === 'max') {
    y = ops.maxPool(x4, [kernel, 1], [stride, 1], padding);
  } else {
    let counts: number[] | null = null;
    if (padding === 'same') {
      const [before, after] = samePadding(length, kernel, stride);
      x4 = ops.pad(x4, [
        [0, 0],
        [before, after],
        [0, 0],
        [0, 0],
      ]);
      counts = Array.from({ length: out }, (_, i) => {
        const start = i * stride - before;
        return Math.min(start + kernel, length) - Math.max(start, 0);
      });
    }
    y = ops.averagePool(x4, [kernel, 1], [stride, 1], 'valid');
    if (counts?.some((c) => c !== kernel)) {
      y = ops.multiply(y, tensor(Float32Array.from(counts.map((c) => kernel / c)), [1, out, 1, 1]));
    }
  }
  const outShape = [...shape];
  outShape[axis] = out;
  return ops.reshape(y, outShape);
}

/** N-D max/average pooling of a tensor in `dataFormat`, as Keras' `ops.max_pool`/`ops.average_pool`. */
export function pool(
  x: Tensor,
  mode: PoolMode,
  poolSize: readonly number[],
  strides: readonly number[],
  padding: Padding,
  dataFormat: DataFormat,
): Tensor {
  return tidy(() => {
    let y = toChannelsLast(toFloat(x), dataFormat);
    if (poolSize.length === 2 && mode === 'max') {
      y = ops.maxPool(y, poolSize as [number, number], strides as [number, number], padding);
    } else {
      poolSize.forEach((k, i) => {
        y = poolAxis(y, i + 1, k, strides[i]!, padding, mode);
      });
    }
    return toChannelsLast(y, dataFormat, true);
  });
}

export interface PoolingArgs extends LayerArgs {
  /** Window size (an int means the same along every spatial axis). */
  poolSize?: number | number[];
  /** Step of the window (default: `poolSize`). */
  strides?: number | number[] | null;
  padding?: Padding;
  dataFormat?: DataFormat | null;
}

/** Keras `BasePooling`: shared by the MaxPoolingND/AveragePoolingND layers. */
export abstract class BasePooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  protected abstract readonly mode: PoolMode;

  constructor(rank: number, args: unknown[]) {
    const a = positional<PoolingArgs>(['poolSize', 'strides', 'padding', 'dataFormat'], args);
    super(a);
    this.poolSize = normalizeTuple(a.poolSize ?? 2, rank, 'pool_size');
    this.strides = normalizeTuple(a.strides ?? this.poolSize, rank, 'strides');
    this.padding = normalizePadding(a.padding);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    this.computeOutputShape(x.shape); // rejects windows larger than the (padded) input
    return pool(x, this.mode, this.poolSize, this.strides, this.padding, this.dataFormat);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const n = this.poolSize.length;
    const last = this.dataFormat === 'channels_last';
    const spatial = last ? shape.slice(1, n + 1) : shape.slice(2, n + 2);
    const out = spatial.map((d, i) => {
      const o = convOutputLength(d ?? null, this.poolSize[i]!, this.strides[i]!, this.padding);
      if (o != null && o <= 0) {
        throw new ShapeError(
          `Layer "${this.name}": computed output size would be negative for input shape ${formatShape(shape)} ` +
            `with pool_size=(${this.poolSize.join(', ')}), strides=(${this.strides.join(', ')}), padding=${this.padding}.`,
        );
      }
      return o;
    });
    return last ? [shape[0] ?? null, ...out, shape[n + 1] ?? null] : [shape[0] ?? null, shape[1] ?? null, ...out];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      pool_size: [...this.poolSize],
      padding: this.padding,
      strides: [...this.strides],
      data_format: this.dataFormat,
    };
  }
}

export interface GlobalPoolingArgs extends LayerArgs {
  dataFormat?: DataFormat | null;
  /** Keep the spatial axes with length 1 (default false). */
  keepdims?: boolean;
}

/** Keras `BaseGlobalPooling`: mean or max over every spatial axis. */
export abstract class BaseGlobalPooling extends Layer {
  readonly dataFormat: DataFormat;
  readonly keepdims: boolean;
  protected abstract readonly mode: PoolMode;
  private readonly rank: number;

  constructor(rank: number, args: unknown[]) {
    let a: GlobalPoolingArgs;
    if (args.length === 0 || isOptionsObject(args[0])) a = (args[0] as GlobalPoolingArgs | undefined) ?? {};
    else a = { ...((args[1] as GlobalPoolingArgs | undefined) ?? {}), dataFormat: args[0] as DataFormat };
    super(a);
    if (a.keepdims != null && typeof a.keepdims !== 'boolean') {
      throw new ValueError(`The \`keepdims\` argument must be a boolean. Received: keepdims=${String(a.keepdims)}`);
    }
    this.rank = rank;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.keepdims = a.keepdims ?? false;
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
    this.built = true;
  }

  protected spatialAxes(): number[] {
    const start = this.dataFormat === 'channels_last' ? 1 : 2;
    return Array.from({ length: this.rank }, (_, i) => i + start);
  }

  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    const x = toFloat(inputs as Tensor);
    return this.mode === 'max' ? ops.max(x, this.spatialAxes(), this.keepdims) : ops.mean(x, this.spatialAxes(), this.keepdims);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const axes = new Set(this.spatialAxes());
    if (this.keepdims) return shape.map((d, i) => (axes.has(i) ? 1 : (d ?? null)));
    return shape.filter((_, i) => !axes.has(i)).map((d) => d ?? null);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), data_format: this.dataFormat, keepdims: this.keepdims };
  }
}
