import {
  type Config,
  type DataType,
  type SerializedObject,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  serializeKerasObject,
} from '@strata/core';

/** Base of keras.initializers: `apply(shape, dtype)` makes a tensor of that shape. */
export abstract class Initializer {
  abstract apply(shape: number[], dtype?: DataType): Tensor;

  getConfig(): Config {
    return {};
  }

  static fromConfig<T extends Initializer>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }
}

export type InitializerIdentifier = Initializer | string | SerializedObject | ((shape: number[], dtype?: DataType) => Tensor);

/** `keras.initializers.get`: an instance, a Keras name (`'glorot_uniform'`) or a serialized dict. */
export function getInitializer(identifier: InitializerIdentifier | null | undefined): Initializer | null {
  if (identifier == null) return null;
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === 'function') return new FunctionInitializer(identifier);
  if (typeof identifier === 'string' || typeof identifier === 'object') {
    return deserializeKerasObject<Initializer>('initializer', identifier as string | SerializedObject);
  }
  throw new ValueError(`Could not interpret initializer identifier: ${String(identifier)}`);
}

export function serializeInitializer(init: Initializer | null): SerializedObject | null {
  return init == null ? null : serializeKerasObject(init);
}

class FunctionInitializer extends Initializer {
  constructor(private readonly fn: (shape: number[], dtype?: DataType) => Tensor) {
    super();
  }
  apply(shape: number[], dtype?: DataType): Tensor {
    return this.fn(shape, dtype);
  }
}

/** snake_case config keys to the camelCase option names constructors take. */
export function camelizeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}
