// The `keras.initializers` namespace: every built-in initializer plus get/serialize/deserialize.
import type { SerializedObject } from '@strata/core';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from './initializer';

export { Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from './initializer';
export { Zeros, Ones, Constant, Identity, type ConstantArgs, type IdentityArgs } from './constant';
export {
  RandomInitializer,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  type InitializerSeed,
  type RandomNormalArgs,
  type RandomUniformArgs,
} from './random';
export {
  VarianceScaling,
  VarianceScalingPreset,
  GlorotUniform,
  GlorotNormal,
  HeUniform,
  HeNormal,
  LecunUniform,
  LecunNormal,
  computeFans,
  type VarianceScalingArgs,
  type SeedArgs,
  type FanMode,
  type Distribution,
} from './variance-scaling';
export { Orthogonal, type OrthogonalArgs } from './orthogonal';
export { Identity as IdentityInitializer } from './constant';
export { Orthogonal as OrthogonalInitializer } from './orthogonal';

/** `keras.initializers.get`: an instance, a name (`'glorot_uniform'`, `'heNormal'`) or a serialized dict. */
export function get(identifier: InitializerIdentifier | null | undefined): Initializer | null {
  return getInitializer(identifier);
}

/** `keras.initializers.serialize`: `{module, class_name, config, registered_name}`. */
export function serialize(initializer: Initializer): SerializedObject {
  return serializeInitializer(initializer)!;
}

/** `keras.initializers.deserialize`: a serialized dict (or a name) back to an initializer. */
export function deserialize(config: SerializedObject | string): Initializer {
  return getInitializer(config)!;
}
