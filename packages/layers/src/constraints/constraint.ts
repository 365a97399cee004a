import {
  type Config,
  type SerializedObject,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
} from '@strata/core';
import { camelizeConfig } from '../initializers/initializer';

/** Base of keras.constraints: `apply(w)` projects a weight after each optimizer update. */
export abstract class Constraint {
  abstract apply(w: Tensor): Tensor;

  getConfig(): Config {
    return {};
  }

  static fromConfig<T extends Constraint>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }
}

export type ConstraintIdentifier = Constraint | string | SerializedObject | null | undefined;

export function getConstraint(identifier: ConstraintIdentifier): Constraint | null {
  if (identifier == null) return null;
  if (identifier instanceof Constraint) return identifier;
  if (typeof identifier === 'string' || typeof identifier === 'object') {
    return deserializeKerasObject<Constraint>('constraint', identifier as string | SerializedObject);
  }
  throw new ValueError(`Could not interpret constraint identifier: ${String(identifier)}`);
}

export function serializeConstraint(c: Constraint | null): SerializedObject | null {
  return c == null ? null : serializeKerasObject(c);
}
