// The `keras.activations` namespace: every built-in function plus get/serialize/deserialize.
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from './activation';

export * from './activations';
export { type ActivationFn, type ActivationIdentifier, registerActivation, getActivation, serializeActivation } from './activation';

/** `keras.activations.get`: a name (`'relu'`), a function or a serialized dict; `null` is linear. */
export function get(identifier: ActivationIdentifier): ActivationFn {
  return getActivation(identifier);
}

/** `keras.activations.serialize`: the registered name of a built-in or registered function. */
export function serialize(fn: ActivationFn): string {
  return serializeActivation(fn);
}

/** `keras.activations.deserialize`: a name or `{class_name: 'function', config: name}` to a function. */
export function deserialize(config: ActivationIdentifier): ActivationFn {
  return getActivation(config);
}
