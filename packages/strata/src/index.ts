// `import * as keras from 'strata'`: the Keras namespace, one import.
export {
  ops,
  random,
  tensor,
  convertToTensor,
  isTensor,
  memory,
  tidy,
  keep,
  dispose,
  setBackend,
  getBackend,
  listBackends,
  listUsableBackends,
  backendInitError,
  registerBackend,
  ready,
  setRandomSeed,
  SeedGenerator,
  Variable,
  KerasTensor,
  grad,
  grads,
  valueAndGrad,
  valueAndGrads,
  variableGrads,
  customGrad,
  floatx,
  epsilon,
  StrataError,
  ValueError,
  ShapeError,
  SerializationError,
  BackendError,
  RuntimeError,
  type Tensor,
  type TensorLike,
  type DataType,
  type Shape,
  type Logs,
} from '@strata/core';
// The cpu backend with Strata's faster training kernels (conv gradients, matmul, transpose).
import '@strata/backend-cpu';

export * as layers from '@strata/layers';
export { activations, initializers, regularizers, constraints } from '@strata/layers';
export { Input, Model, Sequential } from '@strata/models';
export * as models from '@strata/models';
export * as optimizers from '@strata/optimizers';
export * as losses from '@strata/losses';
export * as metrics from '@strata/metrics';
export * as callbacks from '@strata/callbacks';
export * as data from '@strata/data';
export * as applications from '@strata/applications';
// Also wires model.save()/saveWeights()/loadWeights() and models.loadModel() (io registers them on import).
export * as io from '@strata/io';
export * as saving from './saving';
export * as utils from './utils';
