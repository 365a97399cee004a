import {
  type Config,
  type CustomObjects,
  type SerializedObject,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
} from '@strata/core';
import { Optimizer } from './optimizer';

export type OptimizerIdentifier = Optimizer | string | SerializedObject;

/** `keras.optimizers.serialize`. */
export function serialize(optimizer: Optimizer): SerializedObject {
  return serializeKerasObject(optimizer);
}

/** `keras.optimizers.deserialize`: a serialized dict (or an identifier) back to an optimizer. */
export function deserialize(config: SerializedObject | string, customObjects?: CustomObjects): Optimizer {
  const obj = deserializeKerasObject<unknown>('optimizer', config, customObjects);
  if (!(obj instanceof Optimizer)) {
    throw new ValueError(`Could not interpret optimizer identifier: ${JSON.stringify(config)}`);
  }
  return obj;
}

/**
 * `keras.optimizers.get`: an optimizer instance (returned as is), a name (`'adam'`, `'SGD'`) or a
 * serialized dict (`{ class_name: 'Adam', config: {...} }`).
 */
export function get(identifier: OptimizerIdentifier, customObjects?: CustomObjects): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') return deserialize(identifier, customObjects);
  if (typeof identifier === 'object' && identifier != null && typeof (identifier as Config)['class_name'] === 'string') {
    return deserialize(identifier, customObjects);
  }
  throw new ValueError(`Could not interpret optimizer identifier: ${String(identifier)}`);
}
