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
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  cosineSimilarity,
  huber,
  logCosh,
  l2Normalize,
  type AxisOptions,
  type HuberOptions,
} from './regression/functions';
export { MeanSquaredError } from './regression/mean-squared-error';
export { MeanAbsoluteError } from './regression/mean-absolute-error';
export { MeanAbsolutePercentageError } from './regression/mean-absolute-percentage-error';
export { MeanSquaredLogarithmicError } from './regression/mean-squared-logarithmic-error';
export { CosineSimilarity, type CosineSimilarityArgs } from './regression/cosine-similarity';
export { Huber, type HuberArgs } from './regression/huber';
export { LogCosh } from './regression/log-cosh';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  binaryFocalCrossentropy,
  categoricalFocalCrossentropy,
  klDivergence,
  poisson,
  type CrossentropyOptions,
  type SparseCrossentropyOptions,
  type BinaryFocalCrossentropyOptions,
  type CategoricalFocalCrossentropyOptions,
} from './probabilistic/functions';
export { BinaryCrossentropy, type BinaryCrossentropyArgs } from './probabilistic/binary-crossentropy';
export { CategoricalCrossentropy, type CategoricalCrossentropyArgs } from './probabilistic/categorical-crossentropy';
export {
  SparseCategoricalCrossentropy,
  type SparseCategoricalCrossentropyArgs,
} from './probabilistic/sparse-categorical-crossentropy';
export {
  BinaryFocalCrossentropy,
  type BinaryFocalCrossentropyArgs,
} from './probabilistic/binary-focal-crossentropy';
export {
  CategoricalFocalCrossentropy,
  type CategoricalFocalCrossentropyArgs,
} from './probabilistic/categorical-focal-crossentropy';
export { KLDivergence } from './probabilistic/kl-divergence';
export { Poisson } from './probabilistic/poisson';
export { hinge, squaredHinge, categoricalHinge, convertBinaryLabelsToHinge } from './hinge/functions';
export { Hinge } from './hinge/hinge';
export { SquaredHinge } from './hinge/squared-hinge';
export { CategoricalHinge } from './hinge/categorical-hinge';
export { dice, tversky, type DiceOptions, type TverskyOptions, type ReductionAxes } from './segmentation/functions';
export { Dice, type DiceArgs } from './segmentation/dice';
export { Tversky, type TverskyArgs } from './segmentation/tversky';
export { ctc, ctcLoss } from './sequence/functions';
export { CTC } from './sequence/ctc';
export { assertBroadcastable } from './shapes';
export { get, serialize, deserialize, type LossIdentifier } from './registry';
