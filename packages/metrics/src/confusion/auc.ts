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
import { isEvenlyDistributedThresholds, ratio, updateConfusionMatrixVariables } from './confusion-utils';

export type AUCCurve = 'ROC' | 'PR';
export type AUCSummationMethod = 'interpolation' | 'minoring' | 'majoring';

export interface AUCArgs extends MetricArgs {
  /** Number of thresholds (> 1) when `thresholds` is not given. Default 200. */
  numThresholds?: number;
  /** `'ROC'` (default) or `'PR'` (also accepted in lower case). */
  curve?: AUCCurve | 'roc' | 'pr';
  /** Riemann summation: `'interpolation'` (default), `'minoring'` or `'majoring'`. */
  summationMethod?: AUCSummationMethod | 'Interpolation' | 'Minoring' | 'Majoring';
  /** Explicit thresholds in [0, 1] (sorted here); `numThresholds` is then their count + 2. */
  thresholds?: number[] | null;
  /** Computes one AUC per label (last axis of rank-2 predictions) and averages them. */
  multiLabel?: boolean;
  /** Number of labels with `multiLabel`; otherwise taken from the first batch. */
  numLabels?: number | null;
  /** Non-negative per-label weights: of the label AUCs with `multiLabel`, else of the flattened counts. */
  labelWeights?: number[] | null;
  /** Whether predictions are logits (a sigmoid is applied first). */
  fromLogits?: boolean;
}

function parseCurve(curve: string): AUCCurve {
  if (curve === 'ROC' || curve === 'roc') return 'ROC';
  if (curve === 'PR' || curve === 'pr') return 'PR';
  throw new ValueError(`AUC: invalid AUC curve value: "${curve}". Expected values are ["PR", "ROC"]`);
}

function parseSummation(method: string): AUCSummationMethod {
  const lower = ['interpolation', 'Interpolation', 'majoring', 'Majoring', 'minoring', 'Minoring'];
  if (lower.includes(method)) return method.toLowerCase() as AUCSummationMethod;
  throw new ValueError(
    `AUC: invalid AUC summation method value: "${method}". Expected values are ["interpolation", "majoring", "minoring"]`,
  );
}

/**
 * keras.metrics.AUC: area under the ROC or precision-recall curve, approximated by a Riemann sum
 * over thresholds `[-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7]` (the ends nudged by epsilon so
 * that predictions of exactly 0 and 1 fall inside). Counts live in `true_positives`,
 * `false_positives`, `true_negatives`, `false_negatives` of shape `[numThresholds]` (or
 * `[numThresholds, numLabels]` with `multiLabel`). PR with `'interpolation'` uses the
 * Davis & Goadrich interpolation of TP and FP rather than of precision.
 */
export class AUC extends Metric {
  readonly numThresholds: number;
  readonly curve: AUCCurve;
  readonly summationMethod: AUCSummationMethod;
  readonly multiLabel: boolean;
  readonly numLabels: number | null;
  readonly labelWeights: number[] | null;
  readonly fromLogits: boolean;
  /** The thresholds used, end points included. */
  readonly thresholds: number[];
  private readonly initFromThresholds: boolean;
  private readonly evenly: boolean;
  private builtLabels: number | null = null;
  private tp: Variable | null = null;
  private fp: Variable | null = null;
  private tn: Variable | null = null;
  private fn: Variable | null = null;

  constructor(args: AUCArgs = {}) {
    const {
      numThresholds = 200,
      curve = 'ROC',
      summationMethod = 'interpolation',
      thresholds = null,
      multiLabel = false,
      numLabels = null,
      labelWeights = null,
      fromLogits = false,
      ...base
    } = args;
    let inner: number[];
    if (thresholds != null) {
      const bad = thresholds.filter((t) => typeof t !== 'number' || Number.isNaN(t) || t < 0 || t > 1);
      if (bad.length > 0) throw new ValueError(`AUC: threshold values must be in [0, 1]. Received: thresholds=[${thresholds.join(', ')}]`);
      inner = [...thresholds].sort((a, b) => a - b);
    } else {
      if (!Number.isInteger(numThresholds) || numThresholds <= 1) {
        throw new ValueError(`AUC: argument \`num_thresholds\` must be an integer > 1. Received: num_thresholds=${numThresholds}`);
      }
      inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
    }
    const parsedCurve = parseCurve(curve);
    const parsedSummation = parseSummation(summationMethod);
    if (numLabels != null && (!Number.isInteger(numLabels) || numLabels <= 0)) {
      throw new ValueError(`AUC: \`num_labels\` must be a positive integer. Received: num_labels=${numLabels}`);
    }
    if (!multiLabel && numLabels) throw new ValueError('AUC: `num_labels` is needed only when `multi_label` is True.');
    if (labelWeights != null && multiLabel && numLabels != null && labelWeights.length !== numLabels) {
      throw new ValueError(`AUC: \`label_weights\` has ${labelWeights.length} values but num_labels=${numLabels}.`);
    }
    super({ ...base, name: base.name ?? 'auc' });
    this.direction = 'up';
    this.initFromThresholds = thresholds != null;
    this.numThresholds = thresholds != null ? thresholds.length + 2 : numThresholds;
    this.evenly = thresholds != null ? isEvenlyDistributedThresholds([0, ...inner, 1]) : true;
    this.thresholds = [0 - epsilon(), ...inner, 1 + epsilon()];
    this.curve = parsedCurve;
    this.summationMethod = parsedSummation;
    this.multiLabel = multiLabel;
    this.numLabels = numLabels;
    this.labelWeights = labelWeights == null ? null : [...labelWeights];
    this.fromLogits = fromLogits;
    if (multiLabel) {
      if (numLabels) this.build(numLabels);
    } else {
      this.build(null);
    }
  }

  private build(numLabels: number | null): void {
    const shape = numLabels == null ? [this.numThresholds] : [this.numThresholds, numLabels];
    this.builtLabels = numLabels;
    this.tp = this.addVariable({ name: 'true_positives', shape });
    this.fp = this.addVariable({ name: 'false_positives', shape });
    this.tn = this.addVariable({ name: 'true_negatives', shape });
    this.fn = this.addVariable({ name: 'false_negatives', shape });
  }

  /** The state variables once built (with `multiLabel` and no `numLabels`, after the first update). */
  get truePositives(): Variable | null {
    return this.tp;
  }
  get falsePositives(): Variable | null {
    return this.fp;
  }
  get trueNegatives(): Variable | null {
    return this.tn;
  }
  get falseNegatives(): Variable | null {
    return this.fn;
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      let yp = convertToTensor(yPred as TensorLike);
      if (this.multiLabel) {
        if (yp.rank !== 2) {
          throw new ValueError(`AUC: \`y_pred\` must have rank 2 when \`multi_label=True\`. Found rank ${yp.rank}. Full shape received for \`y_pred\`: ${formatShape(yp.shape)}`);
        }
        const labels = yp.shape[1]!;
        if (this.tp == null) {
          if (this.labelWeights != null && this.labelWeights.length !== labels) {
            throw new ValueError(`AUC: \`label_weights\` has ${this.labelWeights.length} values but y_pred has ${labels} labels (shape ${formatShape(yp.shape)}).`);
          }
          this.build(labels);
        } else if (labels !== this.builtLabels) {
          throw new ValueError(`AUC: expected y_pred with ${this.builtLabels} labels, got shape ${formatShape(yp.shape)}.`);
        }
      }
      if (this.fromLogits) yp = ops.sigmoid(yp);
      // With multi_label the label weights apply to the per-label AUCs in result() instead.
      const lw = this.multiLabel || this.labelWeights == null ? null : convertToTensor(this.labelWeights, this.dtype);
      updateConfusionMatrixVariables('AUC', { tp: this.tp!, fp: this.fp!, tn: this.tn!, fn: this.fn! }, yTrue, yp, {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        sampleWeight,
        multiLabel: this.multiLabel,
        labelWeights: lw,
      });
    });
  }

  /** Rows [0, n-1) and [1, n) of a `[n, ...]` tensor. */
  private pairs(x: Tensor): [Tensor, Tensor] {
    const n = this.numThresholds;
    const size = [...x.shape];
    size[0] = n - 1;
    const zeros = x.shape.map(() => 0);
    const one = x.shape.map((_, i) => (i === 0 ? 1 : 0));
    return [ops.slice(x, zeros, size), ops.slice(x, one, size)];
  }

  /** Sums the per-threshold terms, and averages the label AUCs (weighted) with `multiLabel`. */
  private reduce(terms: Tensor): Tensor {
    if (!this.multiLabel) return ops.sum(terms);
    const byLabel = ops.sum(terms, 0);
    if (this.labelWeights == null) return ops.mean(byLabel);
    const lw = convertToTensor(this.labelWeights, this.dtype);
    return ops.divideNoNan(ops.sum(ops.multiply(byLabel, lw)), ops.sum(lw));
  }

  /**
   * PR-AUC by Davis & Goadrich: TP and P = TP + FP vary linearly between thresholds A and B, so
   * the area is `slope * (dTP + intercept * log(P_A / P_B)) / (TP_B + FN_B)` with
   * `slope = dTP / dP` and `intercept = TP_B - slope * P_B` (a constant precision where P_A or P_B is 0).
   */
  interpolatePrAuc(): Tensor {
    return tidy(() => {
      const tp = this.tp!.value;
      const p = ops.add(tp, this.fp!.value);
      const [tpA, tpB] = this.pairs(tp);
      const [pA, pB] = this.pairs(p);
      const [, fnB] = this.pairs(this.fn!.value);
      const dtp = ops.subtract(tpA, tpB);
      const dp = ops.subtract(pA, pB);
      const slope = ops.divideNoNan(dtp, ops.maximum(dp, 0));
      const intercept = ops.subtract(tpB, ops.multiply(slope, pB));
      const safeRatio = ops.where(
        ops.logicalAnd(ops.greater(pA, 0), ops.greater(pB, 0)),
        ops.divideNoNan(pA, ops.maximum(pB, 0)),
        ops.onesLike(pB),
      );
      const increment = ops.divideNoNan(
        ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(safeRatio)))),
        ops.maximum(ops.add(tpB, fnB), 0),
      );
      return this.reduce(increment);
    });
  }

  result(): Tensor {
    // Not built yet (multi_label without num_labels, before any update): nothing counted.
    if (this.tp == null) return ops.zeros([], this.dtype);
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') return this.interpolatePrAuc();
    return tidy(() => {
      const tp = this.tp!.value;
      const recall = ratio(tp, this.fn!.value);
      let x: Tensor;
      let y: Tensor;
      if (this.curve === 'ROC') {
        x = ratio(this.fp!.value, this.tn!.value);
        y = recall;
      } else {
        x = recall;
        y = ratio(tp, this.fp!.value);
      }
      const [yA, yB] = this.pairs(y);
      const heights =
        this.summationMethod === 'interpolation'
          ? ops.divide(ops.add(yA, yB), 2)
          : this.summationMethod === 'minoring'
            ? ops.minimum(yA, yB)
            : ops.maximum(yA, yB);
      const [xA, xB] = this.pairs(x);
      return this.reduce(ops.multiply(ops.subtract(xA, xB), heights));
    });
  }

  override getConfig(): Config {
    const config: Config = {
      ...super.getConfig(),
      num_thresholds: this.numThresholds,
      curve: this.curve,
      summation_method: this.summationMethod,
      multi_label: this.multiLabel,
      num_labels: this.numLabels,
      label_weights: this.labelWeights == null ? null : [...this.labelWeights],
      from_logits: this.fromLogits,
    };
    // Only explicit thresholds are saved, without the end points added here.
    if (this.initFromThresholds) config['thresholds'] = this.thresholds.slice(1, -1);
    return config;
  }
}

registerClass('metric', AUC, { module: 'keras.metrics', className: 'AUC' });
registerIdentifier('metric', ['auc', 'AUC'], () => new AUC());
