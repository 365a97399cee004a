import {
  type Config,
  type Tensor,
  type TensorLike,
  ValueError,
  type Variable,
  convertToTensor,
  epsilon,
  formatShape,
  ops,
  registerClass,
  registerIdentifier,
  tidy,
} from '@strata/core';
import { Metric, type MetricArgs } from '../metric';

export type FScoreAverage = 'micro' | 'macro' | 'weighted' | null;

export interface FBetaScoreArgs extends MetricArgs {
  /** null (one score per class, default), `'micro'`, `'macro'` or `'weighted'` (by support). */
  average?: FScoreAverage;
  /** Weight of recall in the harmonic mean, > 0. Default 1. */
  beta?: number;
  /** Predictions above it count as 1, in (0, 1]; null (default) marks the row's maximum instead. */
  threshold?: number | null;
}

/**
 * keras.metrics.FBetaScore: `(1 + b²) * precision * recall / (b² * precision + recall)` for 2-D
 * multi-class or multi-label data, from the variables `true_positives`, `false_positives`,
 * `false_negatives` and `intermediate_weights` (per class, or scalars with `'micro'`), created on
 * the first update from the number of classes.
 */
export class FBetaScore extends Metric {
  readonly average: FScoreAverage;
  readonly beta: number;
  readonly threshold: number | null;
  /** Axis summed in updates: 0 (per class) or all (`'micro'`). */
  readonly axis: number | null;
  private tp: Variable | null = null;
  private fp: Variable | null = null;
  private fn: Variable | null = null;
  private weights: Variable | null = null;

  constructor(args: FBetaScoreArgs = {}) {
    const { average = null, beta = 1, threshold = null, ...base } = args;
    const cls = new.target.name;
    if (average !== null && average !== 'micro' && average !== 'macro' && average !== 'weighted') {
      throw new ValueError(`${cls}: invalid \`average\` argument value. Expected one of: {null, 'micro', 'macro', 'weighted'}. Received: average=${average}`);
    }
    if (typeof beta !== 'number' || !Number.isFinite(beta)) {
      throw new ValueError(`${cls}: invalid \`beta\` argument value. It should be a finite number. Received: beta=${String(beta)}`);
    }
    if (beta <= 0) throw new ValueError(`${cls}: invalid \`beta\` argument value. It should be > 0. Received: beta=${beta}`);
    if (threshold != null) {
      if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
        throw new ValueError(`${cls}: invalid \`threshold\` argument value. It should be a number. Received: threshold=${String(threshold)}`);
      }
      if (threshold > 1 || threshold <= 0) {
        throw new ValueError(`${cls}: invalid \`threshold\` argument value. It should verify 0 < threshold <= 1. Received: threshold=${threshold}`);
      }
    }
    super({ ...base, name: base.name ?? 'fbeta_score' });
    this.direction = 'up';
    this.average = average;
    this.beta = beta;
    this.threshold = threshold;
    this.axis = average === 'micro' ? null : 0;
  }

  /** The state variables once built (after the first update). */
  get truePositives(): Variable | null {
    return this.tp;
  }
  get falsePositives(): Variable | null {
    return this.fp;
  }
  get falseNegatives(): Variable | null {
    return this.fn;
  }
  get intermediateWeights(): Variable | null {
    return this.weights;
  }

  private build(yPredShape: readonly number[]): void {
    const shape = this.average === 'micro' ? [] : [yPredShape[1]!];
    this.tp = this.addVariable({ name: 'true_positives', shape });
    this.fp = this.addVariable({ name: 'false_positives', shape });
    this.fn = this.addVariable({ name: 'false_negatives', shape });
    this.weights = this.addVariable({ name: 'intermediate_weights', shape });
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const yt = ops.cast(convertToTensor(yTrue), this.dtype);
      let yp = ops.cast(convertToTensor(yPred as TensorLike), this.dtype);
      const cls = this.constructor.name;
      if (yt.rank !== 2 || yp.rank !== 2) {
        throw new ValueError(
          `${cls} expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=${formatShape(yp.shape)} and y_true.shape=${formatShape(yt.shape)}.`,
        );
      }
      if (yt.shape[0] !== yp.shape[0] || yt.shape[1] !== yp.shape[1]) {
        throw new ValueError(`${cls}: y_true and y_pred must have the same shape. Received: y_true.shape=${formatShape(yt.shape)}, y_pred.shape=${formatShape(yp.shape)}`);
      }
      if (this.tp == null) this.build(yp.shape);
      if (this.average !== 'micro' && yp.shape[1] !== this.tp!.shape[0]) {
        throw new ValueError(`${cls}: expected ${this.tp!.shape[0]} classes (from the first batch), got y_pred.shape=${formatShape(yp.shape)}.`);
      }
      if (this.threshold == null) {
        // The row maximum counts as 1; an all-zero row stays all zero (|x| > 1e-9).
        const max = ops.max(yp, -1, true);
        yp = ops.logicalAnd(ops.greaterEqual(yp, max), ops.greater(ops.abs(yp), 1e-9));
      } else {
        yp = ops.greater(yp, this.threshold);
      }
      yp = ops.cast(yp, this.dtype);
      let sw: Tensor | null = null;
      if (sampleWeight != null) {
        sw = ops.cast(convertToTensor(sampleWeight), this.dtype);
        // Keras expands (batch,) weights to (batch, 1); a scalar or (batch, 1) broadcasts the same way.
        if (sw.rank === 1) sw = ops.expandDims(sw, 1);
        const ok = sw.rank === 0 || (sw.rank === 2 && sw.shape[1] === 1 && (sw.shape[0] === yp.shape[0] || sw.shape[0] === 1));
        if (!ok) {
          throw new ValueError(`${cls}: sample_weight of shape ${formatShape(convertToTensor(sampleWeight).shape)} does not match y_pred of shape ${formatShape(yp.shape)}; expected (batch_size,).`);
        }
      }
      const weightedSum = (v: Tensor) => {
        const x = sw == null ? v : ops.multiply(v, sw);
        return this.axis == null ? ops.sum(x) : ops.sum(x, this.axis);
      };
      const notPred = ops.subtract(1, yp);
      this.tp!.assignAdd(weightedSum(ops.multiply(yp, yt)));
      this.fp!.assignAdd(weightedSum(ops.multiply(yp, ops.subtract(1, yt))));
      this.fn!.assignAdd(weightedSum(ops.multiply(notPred, yt)));
      this.weights!.assignAdd(weightedSum(yt));
    });
  }

  result(): Tensor {
    // Before the first update the number of classes is unknown: nothing counted, 0.
    if (this.tp == null) return ops.zeros([], this.dtype);
    return tidy(() => {
      const eps = epsilon();
      const tp = this.tp!.value;
      const precision = ops.divide(tp, ops.add(ops.add(tp, this.fp!.value), eps));
      const recall = ops.divide(tp, ops.add(ops.add(tp, this.fn!.value), eps));
      const b2 = this.beta ** 2;
      const mean = ops.divide(ops.multiply(precision, recall), ops.add(ops.add(ops.multiply(b2, precision), recall), eps));
      let score = ops.multiply(mean, 1 + b2);
      if (this.average === 'weighted') {
        const w = this.weights!.value;
        score = ops.sum(ops.multiply(score, ops.divide(w, ops.add(ops.sum(w), eps))));
      } else if (this.average != null) {
        score = ops.mean(score);
      }
      return score;
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), average: this.average, beta: this.beta, threshold: this.threshold };
  }
}

registerClass('metric', FBetaScore, { module: 'keras.metrics', className: 'FBetaScore' });
registerIdentifier('metric', ['f_beta_score', 'FBetaScore'], () => new FBetaScore());
