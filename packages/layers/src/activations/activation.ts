import { type SerializedObject, type Tensor, ValueError, getIdentifier, registerIdentifier } from '@strata/core';

/** An activation function; `activationName` is what configs store (`'relu'`). */
export type ActivationFn = ((x: Tensor) => Tensor) & { activationName?: string };
export type ActivationIdentifier = string | ActivationFn | SerializedObject | null | undefined;

/** Registers an activation function under its Keras name (and aliases). */
export function registerActivation(name: string, fn: (x: Tensor) => Tensor, aliases: string[] = []): ActivationFn {
  const named = fn as ActivationFn;
  named.activationName = name;
  registerIdentifier('activation', [name, ...aliases], () => named);
  return named;
}

/** `keras.activations.get`: `null` means linear. */
export function getActivation(identifier: ActivationIdentifier): ActivationFn {
  if (identifier == null) return getIdentifier<ActivationFn>('activation', 'linear');
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') return getIdentifier<ActivationFn>('activation', identifier);
  if (typeof identifier === 'object') {
    // Keras serializes built-in activations as their name, and sometimes as
    // {module: 'keras.activations', class_name: 'function', config: 'relu'}.
    const cfg = (identifier as SerializedObject).config as unknown;
    if (typeof cfg === 'string') return getIdentifier<ActivationFn>('activation', cfg);
  }
  throw new ValueError(`Could not interpret activation identifier: ${JSON.stringify(identifier)}`);
}

/** `keras.activations.serialize`: the registered name (custom functions need one). */
export function serializeActivation(fn: ActivationFn): string {
  const name = fn.activationName;
  if (name == null) {
    throw new ValueError(
      `Cannot serialize activation ${fn.name || '<anonymous>'}: register it with registerActivation(name, fn).`,
    );
  }
  return name;
}
