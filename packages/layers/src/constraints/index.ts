// The `keras.constraints` namespace: MaxNorm, MinMaxNorm, NonNeg, UnitNorm plus get/serialize/deserialize.
import type { SerializedObject } from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from './constraint';

export { Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from './constraint';
export {
  MaxNorm,
  MinMaxNorm,
  NonNeg,
  UnitNorm,
  type MaxNormArgs,
  type MinMaxNormArgs,
  type UnitNormArgs,
} from './constraints';

/** `keras.constraints.get`: an instance, a name (`'max_norm'`, `'non_neg'`) or a serialized dict. */
export function get(identifier: ConstraintIdentifier): Constraint | null {
  return getConstraint(identifier);
}

export function serialize(constraint: Constraint): SerializedObject {
  return serializeConstraint(constraint)!;
}

export function deserialize(config: SerializedObject | string): Constraint {
  return getConstraint(config)!;
}
