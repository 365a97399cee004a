import { type Category, type CustomObjects, hasIdentifier, lookupClass } from '@strata/core';
import { getLambdaFunction } from '@strata/layers';
import { UnsafeConfigError } from '../errors';

/** Serialization markers that name no class (Keras' special `class_name`s, plus dtype policies). */
const MARKERS = new Set([
  '__keras_tensor__',
  '__tensor__',
  '__numpy__',
  '__bytes__',
  '__slice__',
  '__ellipsis__',
  '__tuple__',
  '__typespec__',
  'TensorShape',
  'DTypePolicy',
  'FloatDTypePolicy',
  'Policy', // Keras 2 mixed-precision policy
]);

/**
 * Keras APIs that are not modelling objects: loading one from a config would let a file make the
 * loader fetch, read or write files, or switch safety off (Keras' `NON_MODELING_APIS`).
 */
const NON_MODELLING_NAMES = new Set([
  'keras.models.load_model',
  'keras.models.save_model',
  'keras.models.model_from_json',
  'keras.saving.load_model',
  'keras.saving.save_model',
  'keras.saving.load_weights',
  'keras.saving.save_weights',
  'keras.utils.get_file',
  'keras.utils.load_img',
  'keras.utils.save_img',
  'keras.config.enable_unsafe_deserialization',
]);
/** Whole public modules with no modelling objects in them. */
const NON_MODELLING_MODULES = ['keras.config', 'keras.utils', 'keras.saving', 'keras.datasets', 'keras.export', 'keras.distribution', 'keras.visualization'];

/** Categories a class in a model config may belong to. */
const CATEGORIES: Category[] = ['layer', 'model', 'initializer', 'regularizer', 'constraint', 'optimizer', 'schedule', 'loss', 'metric', 'activation'];
const FUNCTION_CATEGORIES: Category[] = ['activation', 'loss', 'metric', 'initializer', 'regularizer', 'constraint', 'optimizer'];

interface Obj {
  module?: string | null;
  class_name: string;
  config?: unknown;
  registered_name?: string | null;
}

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x != null && !Array.isArray(x) && typeof (x as Obj).class_name === 'string';
}

function isKnownFunction(name: string, customObjects?: CustomObjects): boolean {
  if (typeof customObjects?.[name] === 'function') return true;
  if (getLambdaFunction(name) != null) return true;
  const bare = name.includes('>') ? name.slice(name.indexOf('>') + 1) : name;
  if (typeof customObjects?.[bare] === 'function') return true;
  return FUNCTION_CATEGORIES.some((c) => hasIdentifier(c, bare));
}

function isNonModelling(module: string | null | undefined, className: string): boolean {
  if (module == null) return false;
  if (NON_MODELLING_NAMES.has(`${module}.${className}`)) return true;
  return NON_MODELLING_MODULES.some((m) => module === m || module.startsWith(`${m}.`));
}

/** Whether a Lambda layer config holds Python bytecode (Keras 3 `__lambda__` or Keras 2 `function_type: 'lambda'`). */
function lambdaHoldsCode(config: Record<string, unknown>): boolean {
  for (const key of ['function', 'output_shape', 'mask']) {
    const v = config[key];
    if (isObj(v) && v.class_name === '__lambda__') return true;
    if (config[`${key}_type`] === 'lambda') return true;
    // Keras 2 legacy H5: the function as [base64 code, defaults, closure].
    if (key === 'function' && Array.isArray(v)) return true;
  }
  return false;
}

/**
 * Keras' safe mode for a whole config, checked before anything is built: refuses Python
 * lambdas (bytecode we could not run anyway), Lambda layers holding bytecode, functions and
 * classes that are neither built in, registered nor in `customObjects`, and Keras APIs that are
 * not modelling objects. Throws `UnsafeConfigError` naming the offending entry and its path.
 */
export function assertSafeConfig(config: unknown, file: string | undefined, customObjects?: CustomObjects): void {
  const visit = (x: unknown, path: string): void => {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) visit(x[i], `${path}[${i}]`);
      return;
    }
    if (typeof x !== 'object' || x == null) return;
    if (isObj(x)) {
      const name = x.class_name;
      const where = `${path} (${x.module ? `${x.module}.` : ''}${name})`;
      if (name === '__lambda__') {
        throw new UnsafeConfigError(file, `safe mode refuses the Python lambda at ${path}: it is CPython bytecode and cannot be deserialized safely. Register a named function with registerLambdaFunction and save it again.`);
      }
      if (isNonModelling(x.module, name)) {
        throw new UnsafeConfigError(file, `safe mode refuses ${where}: "${x.module}.${name}" is not a modelling API.`);
      }
      if (name === 'function') {
        const fn = typeof x.config === 'string' ? x.config : (x.registered_name ?? '');
        if (!isKnownFunction(fn, customObjects)) {
          throw new UnsafeConfigError(file, `safe mode refuses the unregistered function "${fn}" at ${path}; pass it in customObjects or register it.`);
        }
        return;
      }
      if (name === 'Lambda' && typeof x.config === 'object' && x.config != null && lambdaHoldsCode(x.config as Record<string, unknown>)) {
        const layerName = (x.config as { name?: string }).name ?? '?';
        throw new UnsafeConfigError(file, `safe mode refuses Lambda layer "${layerName}" at ${path}: its function is Python bytecode. Use a function registered with registerLambdaFunction.`);
      }
      if (!MARKERS.has(name) && 'config' in x) {
        const known = CATEGORIES.some((c) => lookupClass(c, name, x.registered_name ?? null, customObjects) != null);
        if (!known) {
          throw new UnsafeConfigError(
            file,
            `safe mode refuses the unregistered class ${x.registered_name ? `"${x.registered_name}"` : `"${name}"`} at ${where}; register it with registerKerasSerializable or pass it in customObjects.`,
          );
        }
      }
    }
    for (const [k, v] of Object.entries(x)) visit(v, path === '' ? k : `${path}.${k}`);
  };
  visit(config, '');
}

/** Python bytecode can never run here: even with safe mode off, a `__lambda__` is refused. */
export function assertNoBytecode(config: unknown, file: string | undefined): void {
  const visit = (x: unknown, path: string): void => {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) visit(x[i], `${path}[${i}]`);
      return;
    }
    if (typeof x !== 'object' || x == null) return;
    if (isObj(x) && x.class_name === '__lambda__') {
      throw new UnsafeConfigError(file, `the Python lambda at ${path} is CPython bytecode, which Strata cannot run (even with safeMode: false). Register a named function with registerLambdaFunction instead.`);
    }
    for (const [k, v] of Object.entries(x)) visit(v, path === '' ? k : `${path}.${k}`);
  };
  visit(config, '');
}
