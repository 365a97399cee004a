import { type Config, type DataType, type Shape, type Tensor, type TensorLike, ValueError, convertToTensor, isTensor, ops, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type LookupOutputMode, checkOutputMode, encodeCategorical, encodedShape } from './encoding';

export interface DiscretizationArgs extends LayerArgs {
  /** Sorted bucket boundaries: `x < b[0]` is bucket 0, `b[i-1] <= x < b[i]` is bucket i. */
  binBoundaries?: number[] | null;
  /** The number of bins to learn with `adapt` (quantiles of the data). */
  numBins?: number | null;
  /** The error tolerance of the quantile summary (Keras' default 0.01). */
  epsilon?: number;
  outputMode?: LookupOutputMode;
  sparse?: boolean;
}

type Summary = [number[], number[]];

/** np.interp: piecewise-linear, clamped at the ends; `xp` increasing. */
function interp(x: number, xp: number[], fp: number[]): number {
  if (x <= xp[0]!) return fp[0]!;
  const n = xp.length;
  if (x >= xp[n - 1]!) return fp[n - 1]!;
  let i = 1;
  while (xp[i]! < x) i++;
  const [x0, x1] = [xp[i - 1]!, xp[i]!];
  return x1 === x0 ? fp[i]! : fp[i - 1]! + ((fp[i]! - fp[i - 1]!) * (x - x0)) / (x1 - x0);
}

/** Keras' `summarize`: sorted values subsampled every 1/epsilon-th, with weights. */
function summarize(values: number[], epsilon: number): Summary {
  const sorted = Float32Array.from(values).sort();
  const increment = sorted.length / (1 / epsilon);
  const step = Math.trunc(Math.max(increment, 1));
  const out: number[] = [];
  for (let i = Math.trunc(increment); i < sorted.length; i += step) out.push(sorted[i]!);
  return [out, out.map(() => step)];
}

/** Keras' `compress_summary`. */
function compressSummary(summary: Summary, epsilon: number): Summary {
  if (summary[0].length * epsilon < 1) return summary;
  const percents: number[] = [];
  for (let k = 0; k * epsilon < 1 - 1e-12; k++) percents.push(epsilon + k * epsilon);
  let acc = 0;
  const cum = summary[1].map((w) => (acc += w));
  const cumPct = cum.map((c) => c / acc);
  const bins = percents.map((p) => Math.fround(interp(p, cumPct, summary[0])));
  const newCum = percents.map((p) => interp(p, cumPct, cum));
  const weights = newCum.map((c, i) => Math.fround(c - (i > 0 ? newCum[i - 1]! : 0)));
  return [bins, weights];
}

/** Keras' `merge_summaries`. */
function mergeSummaries(a: Summary, b: Summary, epsilon: number): Summary {
  const pairs = a[0].map((v, i) => [v, a[1][i]!] as const).concat(b[0].map((v, i) => [v, b[1][i]!] as const));
  pairs.sort((p, q) => p[0] - q[0]);
  return compressSummary([pairs.map((p) => p[0]), pairs.map((p) => p[1])], epsilon);
}

/**
 * `keras.layers.Discretization`: buckets continuous features by `bin_boundaries`, or by quantile
 * boundaries learned with `adapt` (Keras' approximate quantile summary, reproduced exactly).
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
    if (a.numBins != null && a.binBoundaries != null && a.binBoundaries.length !== a.numBins - 1) {
      throw new ValueError(
        `Discretization: both \`num_bins\` and \`bin_boundaries\` should not be set. Received: \`num_bins=${a.numBins}\` and \`bin_boundaries=${JSON.stringify(a.binBoundaries)}\``,
      );
    }
    this.binBoundaries = a.binBoundaries != null ? [...a.binBoundaries] : null;
    this.numBins = a.numBins ?? null;
    this.epsilon = a.epsilon ?? 0.01;
    this.built = true;
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
