import { type Dim, formatShape, ops, type Shape, ShapeError, type Tensor, tensor, tidy, ValueError } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, isOptionsObject, normalizeDataFormat } from '../utils/args';

/**
 * Keras' padding/cropping argument of `n` spatial axes: an int (same on both sides of every axis),
 * `n` ints (symmetric per axis) or `n` pairs; for `n = 1` also one pair `(left, right)`.
 */
export function normalizePairs(value: unknown, n: number, name: string): [number, number][] {
  const bad = () =>
    new ValueError(
      `\`${name}\` should be either an int, a tuple of ${n} ints${n > 1 ? `, or a tuple of ${n} tuples of 2 ints` : ' (left, right)'}. Received: ${name}=${JSON.stringify(value)}`,
    );
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (ok(value)) return Array.from({ length: n }, () => [value, value] as [number, number]);
  if (!Array.isArray(value)) throw bad();
  if (n === 1) {
    if (value.length === 2 && value.every(ok)) return [[value[0], value[1]]];
    if (value.length === 1 && ok(value[0])) return [[value[0], value[0]]];
    throw bad();
  }
  if (value.length !== n) throw bad();
  return value.map((v) => {
    if (ok(v)) return [v, v] as [number, number];
    if (Array.isArray(v) && v.length === 2 && v.every(ok)) return [v[0], v[1]] as [number, number];
    throw bad();
  });
}

export interface PadCropArgs extends LayerArgs {
  dataFormat?: DataFormat | null;
}

/** Shared by ZeroPaddingND and CroppingND: adds (or removes) `pairs` entries on each spatial axis. */
export abstract class PadCropBase extends Layer {
  readonly dataFormat: DataFormat;
  protected readonly pairs: [number, number][];
  protected abstract readonly sign: 1 | -1;

  constructor(n: number, key: 'padding' | 'cropping', fallback: unknown, args: unknown[], withDataFormat: boolean) {
    let a: PadCropArgs & Record<string, unknown>;
    if (args.length === 0 || (isOptionsObject(args[0]) && args.length === 1)) a = (args[0] as typeof a | undefined) ?? {};
    else {
      const rest = args.slice(1);
      const opts = (isOptionsObject(rest[rest.length - 1]) ? rest.pop() : {}) as typeof a;
      a = { ...opts, [key]: args[0] };
      if (withDataFormat && rest[0] !== undefined) a.dataFormat = rest[0] as DataFormat;
    }
    super(a);
    this.pairs = normalizePairs(a[key] ?? fallback, n, key);
    this.dataFormat = normalizeDataFormat(withDataFormat ? a.dataFormat : null);
    this.inputSpec = new InputSpec({ ndim: n + 2 });
    this.built = true;
  }

  private firstAxis(): number {
    return this.dataFormat === 'channels_last' ? 1 : 2;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    this.computeOutputShape(x.shape);
    const first = this.firstAxis();
    return tidy(() => {
      if (this.sign > 0) {
        const widths = x.shape.map((_, i) => (i >= first && i < first + this.pairs.length ? this.pairs[i - first]! : ([0, 0] as [number, number])));
        return ops.pad(x, widths);
      }
      const begin = x.shape.map((_, i) => (i >= first && i < first + this.pairs.length ? this.pairs[i - first]![0] : 0));
      const size = x.shape.map((d, i) => (i >= first && i < first + this.pairs.length ? d - this.pairs[i - first]![0] - this.pairs[i - first]![1] : d));
      return ops.slice(x, begin, size);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const first = this.firstAxis();
    return shape.map((d, i): Dim => {
      const pair = this.pairs[i - first];
      if (pair == null || d == null) return d ?? null;
      const out = d + this.sign * (pair[0] + pair[1]);
      if (out <= 0) {
        throw new ShapeError(
          `Layer "${this.name}": cropping (${this.pairs.map((p) => `(${p.join(', ')})`).join(', ')}) is too large for input shape ${formatShape(shape)}.`,
        );
      }
      return out;
    });
  }

  protected pairsConfig(): number[][] {
    return this.pairs.map((p) => [...p]);
  }
}

/** Weights (out x in) of Keras/JAX 'bilinear' resizing along one axis: half-pixel centers, edge renormalised. */
export function bilinearMatrix(inSize: number, outSize: number): number[][] {
  const scale = outSize / inSize;
  return Array.from({ length: outSize }, (_, i) => {
    const sample = (i + 0.5) / scale - 0.5;
    const w = Array.from({ length: inSize }, (_, j) => Math.max(0, 1 - Math.abs(sample - j)));
    const total = w.reduce((a, b) => a + b, 0);
    const inside = sample >= -0.5 && sample <= inSize - 0.5;
    return w.map((v) => (inside && total > 1e-9 ? v / total : 0));
  });
}

/** Multiplies axis `axis` of `x` by the (out x in) matrix `m` (differentiable; matmul + transposes). */
export function applyAxisMatrix(x: Tensor, axis: number, m: number[][]): Tensor {
  return tidy(() => {
    const n = x.rank;
    const perm = [...Array.from({ length: n }, (_, i) => i).filter((i) => i !== axis), axis];
    const moved = ops.transpose(x, perm);
    const lead = moved.shape.slice(0, -1);
    const inSize = x.shape[axis]!;
    const outSize = m.length;
    const mt = tensor(Float32Array.from(Array.from({ length: inSize * outSize }, (_, k) => m[k % outSize]![Math.floor(k / outSize)]!)), [inSize, outSize]);
    const y = ops.reshape(ops.matmul(ops.reshape(moved, [-1, inSize]), mt), [...lead, outSize]);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return ops.transpose(y, inverse);
  });
}

/**
 * Repeats each entry of axis `axis` `times` times (Keras `ops.repeat`), through rank-4 tiles only:
 * tfjs has no tile gradient above rank 4, which `ops.repeat` on rank >= 4 inputs would need.
 */
export function repeatAxis(x: Tensor, times: number, axis: number): Tensor {
  return tidy(() => {
    const shape = x.shape;
    const p = shape.slice(0, axis).reduce((a, d) => a * d, 1);
    const q = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const t = ops.tile(ops.reshape(x, [p, shape[axis]!, 1, q]), [1, 1, times, 1]);
    const out = [...shape];
    out[axis] = shape[axis]! * times;
    return ops.reshape(t, out);
  });
}
