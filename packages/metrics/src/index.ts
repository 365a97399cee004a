export { Metric, type MetricArgs, type MetricInitializer } from './metric';
export { reduceToSamplewiseValues } from './reduction/reduce';
export { Sum } from './reduction/sum';
export { Mean } from './reduction/mean';
export {
  MeanMetricWrapper,
  type MeanMetricWrapperArgs,
  type MetricFunction,
  registerMetricFunction,
  metricFunctionName,
  metricFunctionByName,
} from './reduction/mean-metric-wrapper';
export {
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  type BinaryAccuracyOptions,
} from './accuracy/functions';
export { Accuracy } from './accuracy/accuracy';
export { BinaryAccuracy, type BinaryAccuracyArgs } from './accuracy/binary-accuracy';
export { CategoricalAccuracy } from './accuracy/categorical-accuracy';
export { SparseCategoricalAccuracy } from './accuracy/sparse-categorical-accuracy';
export { MeanSquaredError } from './regression/mean-squared-error';
export { MeanAbsoluteError } from './regression/mean-absolute-error';
export { RootMeanSquaredError } from './regression/root-mean-squared-error';
export { BinaryCrossentropy, type BinaryCrossentropyArgs } from './probabilistic/binary-crossentropy';
export { CategoricalCrossentropy, type CategoricalCrossentropyArgs } from './probabilistic/categorical-crossentropy';
export {
  SparseCategoricalCrossentropy,
  type SparseCategoricalCrossentropyArgs,
} from './probabilistic/sparse-categorical-crossentropy';
export { get, serialize, deserialize, resolveAccuracy, isBinaryOrSparseCategorical, type MetricIdentifier } from './registry';
// Keras exposes the loss functions as metric functions too (keras.metrics.mean_squared_error, ...).
export {
  meanSquaredError,
  meanAbsoluteError,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  logCosh,
  huber,
  klDivergence,
  poisson,
  hinge,
  squaredHinge,
  categoricalHinge,
  binaryFocalCrossentropy,
  categoricalFocalCrossentropy,
} from '@strata/losses';
export {
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  type TopKOptions,
  type SparseTopKOptions,
} from './accuracy/top-k-functions';
export { TopKCategoricalAccuracy, type TopKCategoricalAccuracyArgs } from './accuracy/top-k-categorical-accuracy';
export {
  SparseTopKCategoricalAccuracy,
  type SparseTopKCategoricalAccuracyArgs,
} from './accuracy/sparse-top-k-categorical-accuracy';
export { R2Score, type R2ScoreArgs, type R2ClassAggregation } from './regression/r2-score';
export {
  pearsonCorrelationCoefficient,
  concordanceCorrelationCoefficient,
  type CorrelationOptions,
} from './correlation/functions';
export { PearsonCorrelationCoefficient, type CorrelationMetricArgs } from './correlation/pearson-correlation';
export { ConcordanceCorrelationCoefficient } from './correlation/concordance-correlation';
export { TruePositives } from './confusion/true-positives';
export { TrueNegatives } from './confusion/true-negatives';
export { FalsePositives } from './confusion/false-positives';
export { FalseNegatives } from './confusion/false-negatives';
export { ConfusionMatrixConditionCount, type ConfusionCountArgs } from './confusion/confusion-matrix-condition-count';
export { Precision, type PrecisionArgs } from './confusion/precision';
export { Recall, type RecallArgs } from './confusion/recall';
export { PrecisionRecallBase, type PrecisionRecallArgs } from './confusion/precision-recall-base';
export { SensitivitySpecificityBase, type SensitivitySpecificityArgs } from './confusion/sensitivity-specificity-base';
export { SensitivityAtSpecificity, type SensitivityAtSpecificityArgs } from './confusion/sensitivity-at-specificity';
export { SpecificityAtSensitivity, type SpecificityAtSensitivityArgs } from './confusion/specificity-at-sensitivity';
export { PrecisionAtRecall, type PrecisionAtRecallArgs } from './confusion/precision-at-recall';
export { RecallAtPrecision, type RecallAtPrecisionArgs } from './confusion/recall-at-precision';
export { AUC, type AUCArgs, type AUCCurve, type AUCSummationMethod } from './confusion/auc';
export { FBetaScore, type FBetaScoreArgs, type FScoreAverage } from './f-score/f-beta-score';
export { F1Score, type F1ScoreArgs } from './f-score/f1-score';
export { IoUBase, type IoUBaseArgs } from './iou/iou-base';
export { IoU, type IoUArgs } from './iou/iou';
export { MeanIoU, type MeanIoUArgs } from './iou/mean-iou';
export { BinaryIoU, type BinaryIoUArgs } from './iou/binary-iou';
export { OneHotIoU, type OneHotIoUArgs } from './iou/one-hot-iou';
export { OneHotMeanIoU, type OneHotMeanIoUArgs } from './iou/one-hot-mean-iou';
export { MeanAbsolutePercentageError } from './regression/mean-absolute-percentage-error';
export { MeanSquaredLogarithmicError } from './regression/mean-squared-logarithmic-error';
export { CosineSimilarity, type CosineSimilarityArgs, cosineSimilarityMetric } from './regression/cosine-similarity';
export { LogCoshError } from './regression/log-cosh-error';
export { KLDivergence } from './probabilistic/kl-divergence';
export { Poisson } from './probabilistic/poisson';
export { Hinge } from './hinge/hinge';
export { SquaredHinge } from './hinge/squared-hinge';
export { CategoricalHinge } from './hinge/categorical-hinge';
