import './engine';

export * as ops from './ops/index';
export * as random from './random';
export { SeedGenerator, setRandomSeed, globalSeedGenerator, drawSeed, type Seed } from './random';
export {
  type Tensor,
  type Scalar,
  type Rank,
  type DataType,
  type TypedArray,
  type NestedArray,
  type TensorLike,
  type MemoryInfo,
  tensor,
  convertToTensor,
  isTensor,
  memory,
  tidy,
  keep,
  dispose,
  nextFrame,
  floatx,
  epsilon,
  setEpsilon,
} from './tensor';
export { Variable, type VariableOptions, type Constraint } from './variable';
export { grad, grads, valueAndGrad, valueAndGrads, customGrad, variableGrads, stopGradient } from './gradients';
export { setBackend, getBackend, listBackends, listUsableBackends, backendInitError, registerBackend, ready, type BackendFactory } from './backend';
export { KerasTensor, isKerasTensor, type Dim, type Shape, type KerasHistory } from './keras-tensor';
export {
  type Config,
  type SerializedObject,
  type Serializable,
  type SerializableClass,
  type CustomObjects,
  type Category,
  registerClass,
  registerKerasSerializable,
  registerIdentifier,
  hasIdentifier,
  getIdentifier,
  listIdentifiers,
  lookupClass,
  registrationOf,
  serializeKerasObject,
  deserializeKerasObject,
  toSnakeCase,
} from './serialization';
export {
  StrataError,
  ValueError,
  ShapeError,
  SerializationError,
  BackendError,
  RuntimeError,
  formatShape,
} from './errors';
export type {
  OptimizerLike,
  LossLike,
  MetricLike,
  CallbackLike,
  LearningRateScheduleLike,
  Reduction,
  Logs,
  TrainingParams,
} from './contracts';
export { conv2dFilterGrad } from './gradients/conv2d';
