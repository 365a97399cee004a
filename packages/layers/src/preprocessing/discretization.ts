import { type Config, type DataType, type Shape, type Tensor, type TensorLike, ValueError, convertToTensor, isTensor, ops, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';

export interface DiscretizationArgs extends LayerArgs {
  /** Sorted bucket boundaries: `x < b[0]` is bucket 0, `b[i-1] <= x < b[i]` is bucket i. */
  binBoundaries?: number[] | null;
  /** The number of bins to learn with `adapt` (quantiles of the data). */
  numBins?: number | null;
  /** The error tolerance of the quantile summary used by `adapt` (Keras' default 0.01). */
  epsilon?: number;
  outputMode?: LookupOutputMode;
  sparse?: boolean;
}

type Summary = [number[], number[]];

const f32 = Math.fround;

/**
 * `np.interp(x, xp, fp)` as NumPy computes it: `xp` increasing (repeats allowed); below `xp[0]`
 * gives `fp[0]`, above the end `fp[-1]`; otherwise `j` is the last index with `xp[j] <= x`, an
 * exact hit returns `fp[j]`, else `slope * (x - xp[j]) + fp[j]`.
 */
function npInterp(x: number, xp: readonly number[], fp: readonly number[]): number {
  const n = xp.length;
  if (x < xp[0]!) return fp[0]!;
  if (x > xp[n - 1]!) return fp[n - 1]!;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x >= xp[mid]!) lo = mid + 1;
    else hi = mid;
  }
  const j = lo - 1;
  if (j === n - 1 || xp[j] === x) return fp[j]!;
  const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
  return slope * (x - xp[j]!) + fp[j]!;
}

/**
 * Keras' `summarize`: the float32 values sorted, then every `int(step)`-th from index
 * `int(increment)`, where `increment = n / (1 / epsilon)` and `step = max(increment, 1)`; each kept
 * value weighs `step` (not rounded).
 */
function summarize(values: ArrayLike<number>, epsilon: number): Summary {
  const sorted = Float32Array.from(values).sort();
  const increment = sorted.length / (1 / epsilon);
  const step = Math.max(increment, 1);
  const out: number[] = [];
  for (let i = Math.trunc(increment); i < sorted.length; i += Math.trunc(step)) out.push(sorted[i]!);
  return [out, out.map(() => f32(step))];
}

/**
 * Keras' `compress_summary`: unchanged when `size * epsilon < 1`; otherwise the values and
 * cumulative weights interpolated (float64) at the percents `epsilon + k epsilon` (k < ceil(1 /
 * epsilon)) of the float32 cumulative weights, stored as float32.
 */
function compressSummary(summary: Summary, epsilon: number): Summary {
  if (summary[0].length * epsilon < 1) return summary;
  const percents = Array.from({ length: Math.ceil(1 / epsilon) }, (_, k) => epsilon + k * epsilon);
  // `cumsum` of a float32 array accumulates in float32.
  const cum: number[] = [];
  let acc = 0;
  for (const w of summary[1]) {
    acc = f32(acc + w);
    cum.push(acc);
  }
  const total = cum[cum.length - 1]!;
  const cumPct = cum.map((c) => f32(c / total));
  const bins = percents.map((p) => f32(npInterp(p, cumPct, summary[0])));
  const newCum = percents.map((p) => npInterp(p, cumPct, cum));
  const weights = newCum.map((c, i) => f32(c - (i > 0 ? newCum[i - 1]! : 0)));
  return [bins, weights];
}

/** Keras' `merge_summaries(new, old)`: concatenated (new first), sorted by value (stably), compressed. */
function mergeSummaries(a: Summary, b: Summary, epsilon: number): Summary {
  const pairs = a[0].map((v, i) => [v, a[1][i]!] as const).concat(b[0].map((v, i) => [v, b[1][i]!] as const));
  pairs.sort((p, q) => p[0] - q[0]);
  return compressSummary([pairs.map((p) => p[0]), pairs.map((p) => p[1])], epsilon);
}

/**
 * `keras.layers.Discretization`: buckets continuous features by `bin_boundaries` (`np.digitize`:
 * bucket i holds `b[i-1] <= x < b[i]`), or by quantile boundaries learned with `adapt`: Keras'
 * approximate quantile summary (`summarize` / `merge_summaries` / `compress_summary`, float32 like
 * NumPy) over the batches, then `compress_summary(summary, 1 / num_bins)` without its last value.
 */
export class Discretization extends Layer {
  static override className = 'Discretization';

  binBoundaries: number[] | null;
  readonly numBins: number | null;
  readonly epsilon: number;
  readonly outputMode: LookupOutputMode;
  readonly sparse: boolean;
  private summary: Summary = [[], []];

  constructor(binBoundaries?: number[] | null, numBins?: number | null, options?: Omit<DiscretizationArgs, 'binBoundaries' | 'numBins'>);
  constructor(args: DiscretizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<DiscretizationArgs>(['binBoundaries', 'numBins', 'epsilon', 'outputMode'], args);
    super(a);
    this.outputMode = checkOutputMode('Discretization', a.outputMode, ['int', 'one_hot', 'multi_hot', 'count'], 'int');
    this.sparse = a.sparse ?? false;
    if (this.sparse) throw new ValueError('Discretization: sparse=True is not supported.');
    if (a.numBins != null && a.numBins < 0) {
      throw new ValueError(`Discretization: \`num_bins\` must be greater than or equal to 0. Received: \`num_bins=${a.numBins}\``);
    }
    if (a.numBins != null && a.binBoundaries != null) {
      throw new ValueError(
        `Discretization: both \`num_bins\` and \`bin_boundaries\` should not be set. Received: \`num_bins=${a.numBins}\` and \`bin_boundaries=${JSON.stringify(a.binBoundaries)}\``,
      );
    }
    if (a.numBins == null && a.binBoundaries == null) {
      throw new ValueError('Discretization: you need to set either `num_bins` or `bin_boundaries`.');
    }
    this.binBoundaries = a.binBoundaries != null ? [...a.binBoundaries] : null;
    this.numBins = a.numBins ?? null;
    this.epsilon = a.epsilon ?? 0.01;
    this.built = true;
  }

  /**
   * Keras' `from_config`: an adapted layer's config holds both `num_bins` and `bin_boundaries`,
   * which the constructor refuses, so the boundaries are set after construction.
   */
  static override fromConfig<T extends Layer>(this: new (args: never) => T, config: Config): T {
    if (config.bin_boundaries != null && config.num_bins != null) {
      const { bin_boundaries: boundaries, ...rest } = config;
      const layer = Layer.fromConfig.call(Discretization, rest) as Discretization;
      layer.binBoundaries = [...(boundaries as number[])];
      return layer as unknown as T;
    }
    return Layer.fromConfig.call(Discretization, config) as unknown as T;
  }

  private depth(): number {
    return this.binBoundaries != null ? this.binBoundaries.length + 1 : (this.numBins ?? 0);
  }

  /** Learns `num_bins - 1` quantile boundaries from `data` (a tensor, array, or list of batches). */
  async adapt(data: TensorLike | Tensor[]): Promise<void> {
    this.adaptSync(data);
  }

  adaptSync(data: TensorLike | Tensor[]): void {
    if (this.numBins == null) {
      throw new ValueError('Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, use `num_bins` instead.');
    }
    this.summary = [[], []];
    const batches = Array.isArray(data) && data.length > 0 && isTensor(data[0]) ? (data as Tensor[]) : [data as TensorLike];
    for (const batch of batches) {
      const values = tidy(() => Array.from(ops.cast(convertToTensor(batch), 'float32').dataSync()));
      this.summary = mergeSummaries(summarize(values, this.epsilon), this.summary, this.epsilon);
    }
    this.binBoundaries = compressSummary(this.summary, 1 / this.numBins)[0].slice(0, -1);
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    if (this.binBoundaries == null) {
      throw new ValueError(`Discretization "${this.name}": you need to either pass the \`bin_boundaries\` argument at construction time or call \`adapt(dataset)\` before you can start using the layer.`);
    }
    const b = this.binBoundaries;
    return tidy(() => {
      const xf = ops.cast(x, 'float32');
      let idx: Tensor = ops.zeros(x.shape, 'int32');
      if (b.length > 0) {
        const bt = tensor(b, [...x.shape.map(() => 1), b.length]);
        idx = ops.sum(ops.cast(ops.greaterEqual(ops.expandDims(xf, -1), bt), 'int32'), -1);
      }
      if (this.outputMode === 'int') return idx;
      return encodeCategorical(`Discretization "${this.name}"`, idx, this.outputMode, this.depth());
    });
  }

  protected override outputDtype(_inputDtype: DataType): DataType {
    return this.outputMode === 'int' ? 'int32' : 'float32';
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.depth());
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      bin_boundaries: this.binBoundaries != null ? [...this.binBoundaries] : null,
      num_bins: this.numBins,
      epsilon: this.epsilon,
      output_mode: this.outputMode,
      sparse: this.sparse,
    };
  }
}
registerClass('layer', Discretization, { module: 'keras.layers', className: 'Discretization' });
