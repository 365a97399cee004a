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
