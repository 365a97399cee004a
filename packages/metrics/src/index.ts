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
} from '@strata/losses';
