import {
  type Config,
  type CustomObjects,
  type SerializedObject,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
  toSnakeCase,
} from '@strata/core';
import { Loss } from './loss';
import { type LossFunction, LossFunctionWrapper, lossFunctionName } from './loss-function-wrapper';

/** What `get` accepts: a Loss, a Keras name, a Loss subclass, a loss function or a serialized dict. */
export type LossIdentifier = Loss | string | LossFunction | (new () => Loss) | SerializedObject;

/** `keras.losses.serialize`. */
export function serialize(loss: Loss): SerializedObject {
  return serializeKerasObject(loss);
}

/** `keras.losses.deserialize`: a serialized dict or a name back to a `Loss`. */
export function deserialize(config: SerializedObject | string, customObjects?: CustomObjects): Loss {
  const obj = deserializeKerasObject<unknown>('loss', config, customObjects);
  return toLoss(obj, config);
}

function toLoss(obj: unknown, original: unknown): Loss {
  if (obj instanceof Loss) return obj;
  if (typeof obj === 'function') return fromFunction(obj as LossFunction | (new () => Loss));
  throw new ValueError(`Could not interpret loss identifier: ${typeof original === 'string' ? original : JSON.stringify(original)}`);
}

function fromFunction(fn: LossFunction | (new () => Loss)): Loss {
  if (fn.prototype instanceof Loss) return new (fn as new () => Loss)();
  const f = fn as LossFunction;
  return new LossFunctionWrapper(f, { name: lossFunctionName(f) ?? (f.name ? toSnakeCase(f.name) : undefined) });
}

/**
 * `keras.losses.get`, returning a `Loss` instance: `'categorical_crossentropy'`, `'mse'`,
 * `'MeanSquaredError'` (camelCase works too), a Loss instance (as is), a Loss subclass, a function
 * `(yTrue, yPred) => perSampleLoss` (wrapped in a LossFunctionWrapper) or a serialized dict
 * (`{ class_name: 'CategoricalCrossentropy', config: {...} }`, or Keras'
 * `{ class_name: 'function', config: 'mean_squared_error' }`).
 */
export function get(identifier: LossIdentifier, customObjects?: CustomObjects): Loss;
export function get(identifier: null | undefined, customObjects?: CustomObjects): null;
export function get(identifier: LossIdentifier | null | undefined, customObjects?: CustomObjects): Loss | null;
export function get(identifier: LossIdentifier | null | undefined, customObjects?: CustomObjects): Loss | null {
  if (identifier == null) return null;
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === 'function') return fromFunction(identifier);
  if (typeof identifier === 'string') return deserialize(identifier, customObjects);
  if (typeof identifier === 'object' && typeof (identifier as Config)['class_name'] === 'string') {
    return deserialize(identifier, customObjects);
  }
  throw new ValueError(`Could not interpret loss identifier: ${String(identifier)}`);
}
