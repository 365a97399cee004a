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

function lossKey(loss: LossLike): string {
  return loss.name;
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
  metrics: MetricLike[];
  lossTracker: MeanTracker | null;
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
    metricSpecs: PerOutput<MetricIdentifier[]> | MetricIdentifier[] | undefined,
    yTrueShapes?: Shape[],
  ) {
    const multi = outputNames.length > 1;
    const lossList = perOutput(loss, outputNames, 'loss', true);
    const weights = perOutput(lossWeights, outputNames, 'lossWeights', true);
    // A flat metric list applies to every output; a list of lists is per output.
    const perOutputMetrics =
      Array.isArray(metricSpecs) && metricSpecs.length > 0 && metricSpecs.every((m) => Array.isArray(m))
        ? perOutput(metricSpecs as MetricIdentifier[][], outputNames, 'metrics', true)
        : isDict(metricSpecs)
          ? perOutput(metricSpecs as Record<string, MetricIdentifier[]>, outputNames, 'metrics', false).map((m) =>
              m == null ? undefined : Array.isArray(m) ? m : [m as unknown as MetricIdentifier],
            )
          : outputNames.map(() => metricSpecs as MetricIdentifier[] | undefined);

    this.outputs = outputNames.map((name, i) => {
      const id = lossList[i];
      const lossObj = id == null ? null : losses.get(id);
      const lossName = lossObj == null ? '' : lossKey(lossObj);
      const ms = (perOutputMetrics[i] ?? []).map((m) => {
        // Keras picks binary/categorical/sparse accuracy from the target and output shapes.
        const metric = metrics.resolveAccuracy(m, lossObj ?? lossName, outputShapes[i]!, yTrueShapes?.[i] ?? null);
        if (multi) (metric as { name: string }).name = `${name}_${metric.name}`;
        return metric;
      });
      return {
        name,
        loss: lossObj,
        weight: weights[i] ?? 1,
        metrics: ms,
        lossTracker: multi && lossObj != null ? new MeanTracker(`${name}_loss`) : null,
      };
    });
    if (this.outputs.every((o) => o.loss == null)) {
      throw new ValueError('compile: a `loss` is required to train or evaluate the model.');
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

  updateMetrics(yTrue: Tensor[], yPred: Tensor[], sampleWeight: Tensor | null): void {
    this.outputs.forEach((o, i) => {
      for (const m of o.metrics) m.updateState(yTrue[i]!, yPred[i]!, sampleWeight);
    });
  }

  get metrics(): MetricLike[] {
    return this.outputs.flatMap((o) => o.metrics);
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
      for (const m of o.metrics) m.resetState();
    }
  }
}
