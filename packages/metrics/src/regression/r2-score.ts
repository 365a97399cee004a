import {
  type Config,
  type Tensor,
  type TensorLike,
  ValueError,
  type Variable,
  convertToTensor,
  formatShape,
  ops,
  registerClass,
  registerIdentifier,
  tidy,
} from '@strata/core';
import { squeezeOrExpandToSameRank } from '@strata/losses';
import { Metric, type MetricArgs } from '../metric';

/** How R2Score combines the per-output scores (Keras' `class_aggregation`; `null`: no aggregation). */
export type R2ClassAggregation = 'uniform_average' | 'variance_weighted_average' | null;

const CLASS_AGGREGATIONS: readonly R2ClassAggregation[] = [null, 'uniform_average', 'variance_weighted_average'];

export interface R2ScoreArgs extends MetricArgs {
  /**
   * How to combine the scores of the outputs (the last axis): `'uniform_average'` (default, their
   * mean), `'variance_weighted_average'` (weighted by each output's variance) or `null` (one score
   * per output). scikit-learn's `multioutput`.
   */
  classAggregation?: R2ClassAggregation;
  /** Number of independent regressors, for the adjusted R2; 0 (default) is the plain R2. */
  numRegressors?: number;
}

/**
 * keras.metrics.R2Score: the coefficient of determination `1 - SS_res / SS_tot` of 2-D
 * `(batch, outputs)` targets, per output, optionally aggregated and adjusted for the number of
 * regressors. The per-output state (`squared_sum`, `sum`, `residual`, `count`) is created on the
 * first `updateState`, from the number of outputs.
 */
export class R2Score extends Metric {
  readonly classAggregation: R2ClassAggregation;
  readonly numRegressors: number;
  /** Number of values (batch x outputs) seen, used by the adjusted R2. */
  readonly numSamples: Variable;
  /** Per output: sum of w * y^2. */
  squaredSum: Variable | null = null;
  /** Per output: sum of w * y. */
  sum: Variable | null = null;
  /** Per output: sum of w * (y - yPred)^2 (Keras' `total_mse`, variable `residual`). */
  totalMse: Variable | null = null;
  /** Per output: sum of the weights. */
  count: Variable | null = null;
  private readonly warned = new Set<string>();

  constructor(args: R2ScoreArgs = {}) {
    const { classAggregation = 'uniform_average', numRegressors = 0, ...base } = args;
    super({ ...base, name: base.name ?? 'r2_score' });
    this.direction = 'up';
    if (!CLASS_AGGREGATIONS.includes(classAggregation)) {
      throw new ValueError(
        "Invalid value for argument `class_aggregation`. Expected one of (null, 'uniform_average', " +
          `'variance_weighted_average'). Received: class_aggregation=${JSON.stringify(classAggregation)}`,
      );
    }
    if (typeof numRegressors !== 'number' || !Number.isInteger(numRegressors) || numRegressors < 0) {
      throw new ValueError(
        `Invalid value for argument \`num_regressors\`. Expected an integer >= 0. Received: num_regressors=${String(numRegressors)}`,
      );
    }
    this.classAggregation = classAggregation;
    this.numRegressors = numRegressors;
    this.numSamples = this.addVariable({ name: 'num_samples' });
  }

  /** Whether the per-output state exists (after the first `updateState`). */
  get built(): boolean {
    return this.count != null;
  }

  private build(numOutputs: number): void {
    this.squaredSum = this.addVariable({ name: 'squared_sum', shape: [numOutputs] });
    this.sum = this.addVariable({ name: 'sum', shape: [numOutputs] });
    this.totalMse = this.addVariable({ name: 'residual', shape: [numOutputs] });
    this.count = this.addVariable({ name: 'count', shape: [numOutputs] });
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred == null) throw new ValueError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs yPred.`);
    tidy(() => {
      const [yt, yp] = squeezeOrExpandToSameRank(convertToTensor(yTrue, this.dtype), convertToTensor(yPred, this.dtype));
      if (yt.rank !== 2 || yp.rank !== 2) {
        throw new ValueError(
          'R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: ' +
            `yPred.shape=${formatShape(yp.shape)} and yTrue.shape=${formatShape(yt.shape)}.`,
        );
      }
      if (yt.shape[0] !== yp.shape[0] || yt.shape[1] !== yp.shape[1]) {
        throw new ValueError(
          `R2Score: yTrue and yPred must have the same shape. Received: yTrue.shape=${formatShape(yt.shape)} and yPred.shape=${formatShape(yp.shape)}.`,
        );
      }
      if (!this.built) this.build(yp.shape[1]!);
      const numOutputs = this.count!.shape[0]!;
      if (yp.shape[1] !== numOutputs) {
        throw new ValueError(
          `R2Score: the state was built for ${numOutputs} outputs, but yPred.shape=${formatShape(yp.shape)}.`,
        );
      }
      let sw = convertToTensor(sampleWeight ?? 1, this.dtype);
      const swShape = sw.shape;
      // A per-sample weight vector gets an output axis so it weights every output of its row.
      if (sw.rank === 1) sw = ops.expandDims(sw, 1);
      if (!broadcastable(sw.shape, yt.shape)) {
        throw new ValueError(
          `R2Score: sampleWeight of shape ${formatShape(swShape)} ` +
            `cannot be broadcast to yTrue.shape=${formatShape(yt.shape)}.`,
        );
      }
      sw = ops.broadcastTo(sw, yt.shape);
      const weightedYTrue = ops.multiply(yt, sw);
      this.sum!.assignAdd(ops.sum(weightedYTrue, 0));
      this.squaredSum!.assignAdd(ops.sum(ops.multiply(yt, weightedYTrue), 0));
      this.totalMse!.assignAdd(ops.sum(ops.multiply(ops.square(ops.subtract(yt, yp)), sw), 0));
      this.count!.assignAdd(ops.sum(sw, 0));
      this.numSamples.assignAdd(ops.full([], yt.size, this.dtype));
    });
  }

  /**
   * The score: a scalar, or one per output with `classAggregation: null`. With `numRegressors`
   * set this reads the sample count back to decide, as Keras does, whether the adjustment is defined.
   */
  override result(): Tensor {
    if (!this.built) {
      throw new ValueError(
        `${this.name}: result() needs at least one updateState() call (R2Score builds its per-output state from the first batch).`,
      );
    }
    const r2 = tidy(() => {
      const mean = ops.divide(this.sum!.value, this.count!.value);
      const total = ops.subtract(this.squaredSum!.value, ops.multiply(this.sum!.value, mean));
      let raw = ops.subtract(1, ops.divide(this.totalMse!.value, total));
      // Constant targets with residual error give -inf; Keras scores those outputs 0.
      raw = ops.where(ops.isinf(raw), 0, raw);
      if (this.classAggregation === 'uniform_average') return ops.mean(raw);
      if (this.classAggregation === 'variance_weighted_average') {
        return ops.divide(ops.sum(ops.multiply(total, raw)), ops.sum(total));
      }
      return raw;
    });
    if (this.numRegressors === 0) return r2;
    const n = this.numSamples.value.dataSync()[0]!;
    const p = this.numRegressors;
    if (p > n - 1) {
      this.warnOnce('More independent predictors than datapoints in adjusted R2 score. Falling back to standard R2 score.');
      return r2;
    }
    if (p === n - 1) {
      this.warnOnce('Division by zero in Adjusted R2 score. Falling back to standard R2 score.');
      return r2;
    }
    const adjusted = tidy(() => ops.subtract(1, ops.divide(ops.multiply(ops.subtract(1, r2), n - 1), n - p - 1)));
    r2.dispose();
    return adjusted;
  }

  private warnOnce(message: string): void {
    // Python's warnings show a message once per call site; once per metric is the closest here.
    if (this.warned.has(message)) return;
    this.warned.add(message);
    console.warn(`UserWarning: ${message}`);
  }

  override getConfig(): Config {
    return {
      name: this.name,
      dtype: this.dtype,
      class_aggregation: this.classAggregation,
      num_regressors: this.numRegressors,
    };
  }
}

/** numpy broadcasting of `from` to exactly `to`. */
function broadcastable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const offset = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[i + offset]);
}

registerClass('metric', R2Score, { module: 'keras.metrics', className: 'R2Score' });
registerIdentifier('metric', ['r2_score', 'R2Score'], () => new R2Score());
