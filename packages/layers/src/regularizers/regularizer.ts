import {
  type Config,
  type SerializedObject,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
} from '@strata/core';
import { camelizeConfig } from '../initializers/initializer';

/** Base of keras.regularizers: `apply(weight)` returns a scalar penalty added to the loss. */
export abstract class Regularizer {
  abstract apply(x: Tensor): Tensor;

  getConfig(): Config {
    return {};
  }

  static fromConfig<T extends Regularizer>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }
}

export type RegularizerIdentifier = Regularizer | string | SerializedObject | null | undefined;

export function getRegularizer(identifier: RegularizerIdentifier): Regularizer | null {
  if (identifier == null) return null;
  if (identifier instanceof Regularizer) return identifier;
  if (typeof identifier === 'string' || typeof identifier === 'object') {
    return deserializeKerasObject<Regularizer>('regularizer', identifier as string | SerializedObject);
  }
  throw new ValueError(`Could not interpret regularizer identifier: ${String(identifier)}`);
}

export function serializeRegularizer(r: Regularizer | null): SerializedObject | null {
  return r == null ? null : serializeKerasObject(r);
}
