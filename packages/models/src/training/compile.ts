import { type LossLike, type MetricLike, type Shape, type Tensor, ValueError, Variable, ops, tidy } from '@strata/core';
import * as losses from '@strata/losses';
import * as metrics from '@strata/metrics';

export type LossIdentifier = Parameters<typeof losses.get>[0];
export type MetricIdentifier = Parameters<typeof metrics.get>[0];

/** Per-output specs: one for all outputs, a list in output order, or a dict by output name. */
export type PerOutput<T> = T | T[] | Record<string, T>;

function isDict(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x != null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype && !('class_name' in x);
}

/** Spreads a per-output spec over the outputs, naming what is missing or extra. */
export function perOutput<T>(spec: PerOutput<T> | undefined, outputNames: string[], what: string, listMeansPerOutput: boolean): (T | undefined)[] {
  if (spec == null) return outputNames.map(() => undefined);
  if (Array.isArray(spec) && listMeansPerOutput) {
    if (spec.length !== outputNames.length) {
      throw new ValueError(`compile: ${what} has ${spec.length} entries, but the model has ${outputNames.length} output(s) (${outputNames.join(', ')}).`);
    }
    return spec;
  }
  if (isDict(spec)) {
    const unknown = Object.keys(spec).filter((k) => !outputNames.includes(k));
    if (unknown.length > 0) {
      throw new ValueError(`compile: ${what} names unknown output(s) ${unknown.join(', ')}; the outputs are ${outputNames.join(', ')}.`);
    }
    const dict = spec as Record<string, T>;
    return outputNames.map((n) => dict[n]);
  }
  return outputNames.map(() => spec as T);
}

/** Running, sample-weighted mean of a scalar (Keras' loss tracker). */
export class MeanTracker {
  private total = new Variable({ initializer: 0, name: 'total', trainable: false });
  private count = new Variable({ initializer: 0, name: 'count', trainable: false });

  constructor(readonly name: string) {}

  update(value: Tensor, weight: number): void {
    tidy(() => {
      this.total.assign(ops.add(this.total.value, ops.multiply(value, weight)));
      this.count.assign(ops.add(this.count.value, weight));
    });
  }

  result(): Tensor {
    return tidy(() => ops.divideNoNan(this.total.value, this.count.value));
  }

  reset(): void {
    this.total.assign(0);
    this.count.assign(0);
  }

  get variables(): Variable[] {
    return [this.total, this.count];
  }
}

export interface CompiledOutput {
  name: string;
  loss: LossLike | null;
  weight: number;
  /** `metrics`: updated without sample weights, as in Keras. */
  metrics: MetricLike[];
  /** `weightedMetrics`: updated with the sample weights. */
  weightedMetrics: MetricLike[];
  lossTracker: MeanTracker | null;
}

/**
 * `metrics`/`weightedMetrics` of compile: a list (one output), a list with one entry per output
 * (a metric, a list of metrics or null), or a dict by output name.
 */
export type MetricsSpec = (MetricIdentifier | MetricIdentifier[] | null)[] | Record<string, MetricIdentifier | MetricIdentifier[]>;

type MetricSpec = MetricsSpec | undefined;

/**
 * Keras' reading of `metrics`/`weighted_metrics`: a dict by output name; for one output a list of
 * metrics; for several outputs a list with one entry (a metric or a list of them) per output.
 */
function metricsPerOutput(spec: MetricSpec, outputNames: string[], what: string): MetricIdentifier[][] {
  if (spec == null) return outputNames.map(() => []);
  const asList = (m: unknown): MetricIdentifier[] => (m == null ? [] : Array.isArray(m) ? (m as MetricIdentifier[]) : [m as MetricIdentifier]);
  if (isDict(spec)) return perOutput(spec as Record<string, MetricIdentifier[]>, outputNames, what, false).map(asList);
  if (!Array.isArray(spec)) {
    throw new ValueError(`compile: \`${what}\` must be a list or a dict by output name; got ${String(spec)}.`);
  }
  if (outputNames.length === 1) return [(spec as unknown[]).flatMap(asList)];
  if (spec.length !== outputNames.length) {
    throw new ValueError(
      `compile: for a model with multiple outputs, \`${what}\` given as a list needs one entry per output; got ${spec.length} entries for ${outputNames.length} outputs (${outputNames.join(', ')}).`,
    );
  }
  return (spec as unknown[]).map(asList);
}

/** compile()'s losses and metrics, resolved per output. */
export class CompiledLoss {
  readonly outputs: CompiledOutput[];
  readonly lossTracker = new MeanTracker('loss');

  constructor(
    outputNames: string[],
    outputShapes: Shape[],
    loss: PerOutput<LossIdentifier> | undefined,
    lossWeights: PerOutput<number> | undefined,
    metricSpecs: MetricSpec,
    yTrueShapes?: Shape[],
    weightedMetricSpecs?: MetricSpec,
  ) {
    const multi = outputNames.length > 1;
    const lossList = perOutput(loss, outputNames, 'loss', true);
    const weights = perOutput(lossWeights, outputNames, 'lossWeights', true);
    const plain = metricsPerOutput(metricSpecs, outputNames, 'metrics');
    const weighted = metricsPerOutput(weightedMetricSpecs, outputNames, 'weightedMetrics');
    const lossObjs = lossList.map((id) => (id == null ? null : losses.get(id)));
    // Keras adds a `<output>_loss` tracker per loss only when there is more than one loss.
    const trackLosses = lossObjs.filter((l) => l != null).length > 1;
    const resolve = (ids: MetricIdentifier[], i: number) =>
      ids.map((m) => {
        const lossObj = lossObjs[i] ?? null;
        // Keras picks binary/categorical/sparse accuracy from the target and output shapes.
        return metrics.resolveAccuracy(m, lossObj ?? '', outputShapes[i]!, yTrueShapes?.[i] ?? null) as MetricLike;
      });

    this.outputs = outputNames.map((name, i) => ({
      name,
      loss: lossObjs[i] ?? null,
      weight: weights[i] ?? 1,
      metrics: resolve(plain[i]!, i),
      weightedMetrics: resolve(weighted[i]!, i),
      lossTracker: trackLosses && lossObjs[i] != null ? new MeanTracker(`${name}_loss`) : null,
    }));
    if (this.outputs.every((o) => o.loss == null)) {
      throw new ValueError('compile: a `loss` is required to train or evaluate the model.');
    }
    this.nameMetrics(multi);
  }

  /**
   * Log names as Keras' CompileMetrics: `<output>_<metric>` with several outputs; a repeated name
   * gets `_1`, `_2`...; a weighted metric that repeats an unweighted one becomes `weighted_<name>`.
   */
  private nameMetrics(multi: boolean): void {
    const counters = new Map<string, number>();
    const prefix = (o: CompiledOutput, n: string) => (multi ? `${o.name}_${n}` : n);
    const unique = (n: string): string => {
      const k = counters.get(n);
      if (k == null) {
        counters.set(n, 1);
        return n;
      }
      counters.set(n, k + 1);
      return `${n}_${k}`;
    };
    const rename = (m: MetricLike, n: string) => {
      (m as { name: string }).name = n;
    };
    for (const o of this.outputs) for (const m of o.metrics) rename(m, unique(prefix(o, m.name)));
    for (const o of this.outputs) {
      for (const m of o.weightedMetrics) {
        const n = prefix(o, m.name);
        rename(m, counters.has(n) ? unique(prefix(o, `weighted_${m.name}`)) : unique(n));
      }
    }
  }

  /** Total loss (weighted sum over outputs); per-output values are returned for the trackers. */
  compute(yTrue: Tensor[], yPred: Tensor[], sampleWeight: Tensor | null): { total: Tensor; perOutput: (Tensor | null)[] } {
    const perOutput = this.outputs.map((o, i) => (o.loss == null ? null : o.loss.apply(yTrue[i]!, yPred[i]!, sampleWeight)));
    let total: Tensor | null = null;
    perOutput.forEach((l, i) => {
      if (l == null) return;
      const w = this.outputs[i]!.weight;
      const term = w === 1 ? l : ops.multiply(l, w);
      total = total == null ? term : ops.add(total, term);
    });
    return { total: total!, perOutput };
  }

  /** Keras passes the sample weights to `weightedMetrics` only. */
  updateMetrics(yTrue: Tensor[], yPred: Tensor[], sampleWeight: Tensor | null): void {
    this.outputs.forEach((o, i) => {
      for (const m of o.metrics) m.updateState(yTrue[i]!, yPred[i]!);
      for (const m of o.weightedMetrics) m.updateState(yTrue[i]!, yPred[i]!, sampleWeight);
    });
  }

  /** The metric objects in log order: `metrics` of every output, then `weightedMetrics`. */
  get metrics(): MetricLike[] {
    return [...this.outputs.flatMap((o) => o.metrics), ...this.outputs.flatMap((o) => o.weightedMetrics)];
  }

  /** Every state variable: the loss trackers' and the metrics'. */
  get variables(): Variable[] {
    return [
      ...this.lossTracker.variables,
      ...this.outputs.flatMap((o) => o.lossTracker?.variables ?? []),
      ...this.metrics.flatMap((m) => m.variables),
    ];
  }

  /** Current values, in Keras' log order: loss, per-output losses, then metrics. */
  results(): [string, Tensor][] {
    const out: [string, Tensor][] = [['loss', this.lossTracker.result()]];
    for (const o of this.outputs) if (o.lossTracker != null) out.push([o.lossTracker.name, o.lossTracker.result()]);
    for (const m of this.metrics) out.push([m.name, m.result()]);
    return out;
  }

  reset(): void {
    this.lossTracker.reset();
    for (const o of this.outputs) {
      o.lossTracker?.reset();
      for (const m of [...o.metrics, ...o.weightedMetrics]) m.resetState();
    }
  }
}
