import { SerializationError } from './errors';

/** A JSON-compatible config dict with Keras' snake_case keys. */
export type Config = { [key: string]: unknown };

/** Keras' serialized-object dict. */
export interface SerializedObject {
  module: string | null;
  class_name: string;
  config: Config;
  registered_name: string | null;
  [key: string]: unknown;
}

export interface Serializable {
  getConfig(): Config;
}

/** A class that can be rebuilt from its config. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of every shape are registered
export type SerializableClass<T = unknown> = (new (...args: any[]) => T) & {
  fromConfig?(config: Config, customObjects?: CustomObjects): T;
};

export type CustomObjects = Record<string, unknown>;

/** The families objects are registered under; packages may add their own. */
export type Category =
  | 'layer'
  | 'activation'
  | 'initializer'
  | 'regularizer'
  | 'constraint'
  | 'optimizer'
  | 'schedule'
  | 'loss'
  | 'metric'
  | 'callback'
  | 'model'
  | (string & {});

interface ClassEntry {
  cls: SerializableClass;
  module: string | null;
  className: string;
  registeredName: string | null;
}

const classesByCategory = new Map<string, Map<string, ClassEntry>>();
const entryByClass = new Map<unknown, ClassEntry>();
const customByName = new Map<string, ClassEntry>();
const identifiers = new Map<string, Map<string, () => unknown>>();

/**
 * Keras' `to_snake_case`: `glorotUniform`, `GlorotUniform` and `glorot_uniform` all become
 * `glorot_uniform`; `Conv2D` becomes `conv2d`, `MaxPooling2D` `max_pooling2d`.
 */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function bucket<V>(map: Map<string, Map<string, V>>, category: string): Map<string, V> {
  let b = map.get(category);
  if (b == null) {
    b = new Map();
    map.set(category, b);
  }
  return b;
}

/**
 * Registers a built-in class under its Keras module and class name, e.g.
 * `registerClass('layer', Dense, { module: 'keras.layers', className: 'Dense' })`.
 */
export function registerClass(
  category: Category,
  cls: SerializableClass,
  options: { module: string | null; className?: string; aliases?: string[] },
): void {
  const className = options.className ?? cls.name;
  const entry: ClassEntry = { cls, module: options.module, className, registeredName: null };
  const b = bucket(classesByCategory, category);
  for (const name of [className, ...(options.aliases ?? [])]) b.set(name, entry);
  entryByClass.set(cls, entry);
}

/**
 * `keras.saving.register_keras_serializable`: makes a user class (de)serializable under
 * `registered_name = "<package>>name"`.
 */
export function registerKerasSerializable<C extends SerializableClass>(
  cls: C,
  options: { package?: string; name?: string } = {},
): C {
  const pkg = options.package ?? 'Custom';
  const className = options.name ?? cls.name;
  const registeredName = `${pkg}>${className}`;
  const entry: ClassEntry = { cls, module: null, className, registeredName };
  customByName.set(registeredName, entry);
  entryByClass.set(cls, entry);
  return cls;
}

/** Registers a string identifier (`'adam'`, `'mse'`, `'relu'`) and its camelCase spelling. */
export function registerIdentifier(category: Category, names: string | string[], factory: () => unknown): void {
  const b = bucket(identifiers, category);
  for (const name of Array.isArray(names) ? names : [names]) b.set(toSnakeCase(name), factory);
}

export function hasIdentifier(category: Category, name: string): boolean {
  return identifiers.get(category)?.has(toSnakeCase(name)) ?? false;
}

/** Resolves a string identifier of `category`; the error lists the known ones. */
export function getIdentifier<T = unknown>(category: Category, name: string): T {
  const factory = identifiers.get(category)?.get(toSnakeCase(name));
  if (factory == null) {
    const known = [...(identifiers.get(category)?.keys() ?? [])].sort();
    throw new SerializationError(`Unknown ${category} identifier '${name}'. Known: ${known.join(', ')}.`);
  }
  return factory() as T;
}

/** Names of every identifier registered under `category`. */
export function listIdentifiers(category: Category): string[] {
  return [...(identifiers.get(category)?.keys() ?? [])].sort();
}

/** Finds a registered class by class name or registered name; `customObjects` win. */
export function lookupClass(
  category: Category,
  className: string,
  registeredName?: string | null,
  customObjects?: CustomObjects,
): SerializableClass | undefined {
  for (const key of [registeredName, className]) {
    if (key == null) continue;
    const custom = customObjects?.[key];
    if (typeof custom === 'function') return custom as SerializableClass;
  }
  if (registeredName != null && customByName.has(registeredName)) return customByName.get(registeredName)!.cls;
  const builtin = classesByCategory.get(category)?.get(className);
  if (builtin != null) return builtin.cls;
  for (const entry of customByName.values()) if (entry.className === className) return entry.cls;
  return undefined;
}

/** The Keras names a class was registered with, or null. */
export function registrationOf(cls: unknown): { module: string | null; className: string; registeredName: string | null } | null {
  const entry = entryByClass.get(cls);
  return entry == null ? null : { module: entry.module, className: entry.className, registeredName: entry.registeredName };
}

/** `keras.saving.serialize_keras_object` for objects with `getConfig()`. */
export function serializeKerasObject(obj: Serializable): SerializedObject {
  const ctor = (obj as object).constructor;
  const reg = registrationOf(ctor);
  if (reg == null) {
    throw new SerializationError(
      `Cannot serialize ${ctor.name}: the class is not registered. Call registerKerasSerializable(${ctor.name}).`,
    );
  }
  return {
    module: reg.module,
    class_name: reg.className,
    config: obj.getConfig(),
    registered_name: reg.registeredName,
  };
}

function isSerializedObject(x: unknown): x is SerializedObject {
  return typeof x === 'object' && x != null && typeof (x as SerializedObject).class_name === 'string';
}

/**
 * `keras.saving.deserialize_keras_object`: a string identifier or a serialized dict back to an
 * object of `category`.
 */
export function deserializeKerasObject<T = unknown>(
  category: Category,
  spec: string | SerializedObject,
  customObjects?: CustomObjects,
): T {
  if (typeof spec === 'string') {
    const custom = customObjects?.[spec];
    if (custom != null) return custom as T;
    return getIdentifier<T>(category, spec);
  }
  if (!isSerializedObject(spec)) {
    throw new SerializationError(`Cannot deserialize a ${category} from ${JSON.stringify(spec)}.`);
  }
  const cls = lookupClass(category, spec.class_name, spec.registered_name, customObjects);
  if (cls == null) {
    // Functions (activations, loss functions) serialize as {class_name: 'function', config: name}.
    if (typeof spec.config === 'string') return getIdentifier<T>(category, spec.config);
    throw new SerializationError(
      `Unknown ${category} class '${spec.registered_name ?? spec.class_name}'` +
        (spec.module ? ` (module ${spec.module})` : '') +
        '. Register it with registerKerasSerializable or pass it in customObjects.',
    );
  }
  const config = (spec.config ?? {}) as Config;
  if (typeof cls.fromConfig === 'function') return cls.fromConfig(config, customObjects) as T;
  return new cls(config) as T;
}
