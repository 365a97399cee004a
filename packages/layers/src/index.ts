export { Layer, type LayerArgs, type CallArgs, type AddWeightOptions, type LayerOutput, getMask, MASK } from './layer';
export { InputSpec, type InputSpecArgs, assertInputCompatibility } from './input-spec';
export { Node } from './node';
export { uniqueName, clearSession, defaultNameOf } from './naming';
export { currentTraining, withCallContext } from './call-context';
export { InputLayer, Input, type InputLayerArgs } from './core/input-layer';
export {
  Initializer,
  getInitializer,
  serializeInitializer,
  camelizeConfig,
  type InitializerIdentifier,
} from './initializers/initializer';
export {
  type ActivationFn,
  type ActivationIdentifier,
  registerActivation,
  getActivation,
  serializeActivation,
} from './activations/activation';
export { Regularizer, getRegularizer, serializeRegularizer, type RegularizerIdentifier } from './regularizers/regularizer';
export { Constraint, getConstraint, serializeConstraint, type ConstraintIdentifier } from './constraints/constraint';

// Layers (keras.layers.*)
export { Dense, type DenseArgs } from './core/dense';
export { Activation, type ActivationArgs } from './core/activation';
export { Embedding, type EmbeddingArgs } from './core/embedding';
export { Dropout, type DropoutArgs } from './regularization/dropout';
export { Flatten, type FlattenArgs } from './reshaping/flatten';
export { Reshape, type ReshapeArgs } from './reshaping/reshape';
export { Conv2D, type Conv2DArgs } from './convolutional/conv2d';
export { MaxPooling2D, type MaxPooling2DArgs } from './pooling/max-pooling2d';
export { Concatenate, type ConcatenateArgs } from './merging/concatenate';
export * from './convolutional/index';
export * from './recurrent/index';
export * from './normalization/index';
export * from './activation-layers/index';
export * from './merging/index';
export * from './pooling/index';
export * from './reshaping/index';
export * from './regularization/index';
export * from './preprocessing/index';
export * from './preprocessing/index-extra';
export * from './attention/index';
export { EinsumDense, type EinsumDenseArgs } from './core/einsum-dense';
export { Identity } from './core/identity';
export { Masking, type MaskingArgs } from './core/masking';
export {
  Lambda,
  type LambdaArgs,
  type LambdaFunction,
  type LambdaShapeFunction,
  type LambdaMaskFunction,
  registerLambdaFunction,
  getLambdaFunction,
  lambdaFunctionName,
} from './core/lambda';

// keras.activations, keras.initializers, keras.regularizers, keras.constraints
export * as activations from './activations/index';
export * as initializers from './initializers/index';
export * as regularizers from './regularizers/index';
export * as constraints from './constraints/index';
