// The `keras.regularizers` namespace: L1, L2, L1L2, OrthogonalRegularizer plus get/serialize/deserialize.
import type { SerializedObject } from '@strata/core';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from './regularizer';

export { Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from './regularizer';
export { L1, L2, L1L2, type L1Args, type L2Args, type L1L2Args } from './l1l2';
export { OrthogonalRegularizer, type OrthogonalRegularizerArgs } from './orthogonal-regularizer';

/** `keras.regularizers.get`: an instance, a name (`'l2'`, `'l1_l2'`) or a serialized dict. */
export function get(identifier: RegularizerIdentifier): Regularizer | null {
  return getRegularizer(identifier);
}

export function serialize(regularizer: Regularizer): SerializedObject {
  return serializeRegularizer(regularizer)!;
}

export function deserialize(config: SerializedObject | string): Regularizer {
  return getRegularizer(config)!;
}

import { L1, L1L2, type L1L2Args, L2 } from './l1l2';

/** `keras.regularizers.l1(l1=0.01)`. */
export function l1(value?: number): L1 {
  return new L1(value);
}

/** `keras.regularizers.l2(l2=0.01)`. */
export function l2(value?: number): L2 {
  return new L2(value);
}

/** `keras.regularizers.l1_l2(l1=0.0, l2=0.0)`. */
export function l1L2(l1OrArgs?: number | L1L2Args, l2Value?: number): L1L2 {
  return typeof l1OrArgs === 'object' ? new L1L2(l1OrArgs) : new L1L2(l1OrArgs, l2Value);
}
