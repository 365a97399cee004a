export { Loss, type LossArgs } from './loss';
export {
  LossFunctionWrapper,
  type LossFunctionWrapperArgs,
  type LossFunction,
  registerLossFunction,
  lossFunctionName,
  lossFunctionByName,
} from './loss-function-wrapper';
export {
  REDUCTIONS,
  standardizeReduction,
  squeezeOrExpandToSameRank,
  reduceValues,
  reduceWeightedValues,
  applyMask,
} from './reduction';
export { meanSquaredError, meanAbsoluteError } from './regression/functions';
export { MeanSquaredError } from './regression/mean-squared-error';
export { MeanAbsoluteError } from './regression/mean-absolute-error';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  type CrossentropyOptions,
  type SparseCrossentropyOptions,
} from './probabilistic/functions';
export { BinaryCrossentropy, type BinaryCrossentropyArgs } from './probabilistic/binary-crossentropy';
export { CategoricalCrossentropy, type CategoricalCrossentropyArgs } from './probabilistic/categorical-crossentropy';
export {
  SparseCategoricalCrossentropy,
  type SparseCategoricalCrossentropyArgs,
} from './probabilistic/sparse-categorical-crossentropy';
export { get, serialize, deserialize, type LossIdentifier } from './registry';
