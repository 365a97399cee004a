import {
  type Config,
  type SerializedObject,
  type Shape,
  SerializationError,
  StrataError,
  deserializeKerasObject,
  ops,
  serializeKerasObject,
  tidy,
} from '@strata/core';
import { InputLayer, type Layer } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { FormatError, IoError } from '../errors';
import type { LoadOptions } from '../options';
import { compileConfigOf, compileFromConfig } from './compile-config';
import { isFunctionalConfig, toKeras3Config } from './keras2-config';
import { assertNoBytecode, assertSafeConfig } from './safe-mode';

type History = [string, number, number];

/**
 * Reshaping layers Keras builds on their first call (so `config.json` has their
 * `build_config`), while Strata builds them on construction (no shape recorded).
 */
const BUILT_ON_CALL_IN_KERAS = new Set([
  'Flatten',
  'Reshape',
  'Permute',
  'RepeatVector',
  'ZeroPadding1D',
  'ZeroPadding2D',
  'ZeroPadding3D',
  'Cropping1D',
  'Cropping2D',
  'Cropping3D',
  'UpSampling1D',
  'UpSampling2D',
  'UpSampling3D',
]);

/** The shape(s) `layer` was first called with inside a model (Keras' `build_config.input_shape`). */
function callShape(layer: Layer, className: string): Shape | Shape[] | null {
  if (layer.buildInputShape != null) return layer.buildInputShape;
  if (!BUILT_ON_CALL_IN_KERAS.has(className)) return null;
  const node = layer.inboundNodes.find((n) => !n.isInput);
  if (node == null) return null;
  const shapes = node.inputTensors.map((t) => [...t.shape]);
  return node.inputsWereList ? shapes : (shapes[0] ?? null);
}

function isPlainFunctional(model: Model): boolean {
  return model.constructor === Model && model.isFunctional;
}

/** `{module, class_name, registered_name}` of a model as Keras writes them. */
function modelIdentity(model: Model): { module: string | null; class_name: string; registered_name: string | null } {
  if (model instanceof Sequential && model.constructor === Sequential) return { module: 'keras', class_name: 'Sequential', registered_name: null };
  // `Functional` is not exported by Keras: its internal module is written, and the bare class
  // name as registered_name.
  if (isPlainFunctional(model)) return { module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional' };
  const s = serializeKerasObject(model);
  return { module: s.module, class_name: s.class_name, registered_name: s.registered_name };
}

/** Keras 3's serialized layer dict for a layer inside a model (nested models in full). */
function layerEntry(layer: Layer, base: SerializedObject): SerializedObject {
  if (layer instanceof Model) {
    const nested = modelToConfig(layer);
    // Keep the graph fields (name, inbound_nodes) the outer model added.
    const { module: _m, class_name: _c, config: _cfg, registered_name: _r, build_config: _b, ...graph } = base;
    return { ...nested, ...graph };
  }
  if (layer instanceof InputLayer || base.build_config != null) return base;
  const shape = callShape(layer, base.class_name);
  if (shape == null) return base;
  // Keras' key order: module, class_name, config, registered_name, build_config, then graph keys.
  const { module, class_name, config, registered_name, ...rest } = base;
  return { module, class_name, config, registered_name, build_config: { input_shape: shape }, ...rest };
}

/**
 * Keras 3's `serialize_keras_object(model)`: the whole-model dict of `config.json`, with
 * `build_config` and `compile_config` (`{}` when not compiled). Sequential and Functional
 * models (nested ones too) are written exactly as Keras writes them; a registered subclass
 * with its own `getConfig()` is written under its registered name.
 */
export function modelToConfig(model: Model): SerializedObject {
  const id = modelIdentity(model);
  const config = model.getConfig();
  const layers = config.layers as SerializedObject[] | undefined;
  let buildConfig: Config;
  if (model instanceof Sequential) {
    const objects: Layer[] = model.layers;
    const offset = layers != null && layers[0]?.class_name === 'InputLayer' ? 1 : 0;
    if (layers != null) config.layers = layers.map((s, i) => (i < offset ? s : layerEntry(objects[i - offset]!, s)));
    // Keras 3's Sequential config also carries the model's dtype policy, after `trainable`.
    const ordered: Config = { name: config.name, trainable: config.trainable, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: model.dtype }, registered_name: null } };
    for (const [k, v] of Object.entries(config)) if (!(k in ordered)) ordered[k] = v;
    buildConfig = { input_shape: (config.build_input_shape as Shape | undefined) ?? model.buildInputShape ?? null };
    return { module: id.module, class_name: id.class_name, config: ordered, registered_name: id.registered_name, build_config: buildConfig, compile_config: compileConfigOf(model) };
  }
  if (model.isFunctional && layers != null) {
    const objects = model.layers;
    config.layers = layers.map((s, i) => layerEntry(objects[i]!, s));
    // Keras counts a nested Functional model's own first node in input/output references, and
    // writes a single input/output as a bare triple (we cannot tell `[x]` from `x`: one tensor
    // is written bare, as `keras.Model(inputs, outputs)` with single tensors does).
    const functional = new Set(objects.filter((l) => l instanceof Model && isPlainFunctional(l)).map((l) => l.name));
    const fix = (refs: History[]): History | History[] => {
      const out = refs.map(([n, i, t]) => [n, functional.has(n) ? i + 1 : i, t] as History);
      return out.length === 1 ? out[0]! : out;
    };
    config.input_layers = fix(config.input_layers as History[]);
    config.output_layers = fix(config.output_layers as History[]);
  }
  // Keras writes `input_shape: null` for Functional models; a subclassed model records the
  // shape it was built with.
  buildConfig = { input_shape: model.isFunctional ? null : (model.buildInputShape ?? null) };
  return { module: id.module, class_name: id.class_name, config, registered_name: id.registered_name, build_config: buildConfig, compile_config: compileConfigOf(model) };
}

/** Options of `modelFromConfig`, plus the file name used in error messages. */
export interface ConfigLoadOptions extends LoadOptions {
  /** File the config came from (error messages); default `'<memory>'`. */
  filename?: string;
}

/**
 * Keras' `deserialize_keras_object` for a whole model: a `config.json` dict (Keras 3), a legacy
 * `model_config` (`{class_name, config}`, Keras 2 or 3 dialect) or a bare Functional/Sequential
 * `config`. Safe mode (default on) refuses Python lambdas, unregistered classes/functions and
 * non-modelling Keras APIs with `UnsafeConfigError`. Compiles from `compile_config` unless
 * `compile: false`.
 */
export function modelFromConfig(spec: Config | SerializedObject, opts: ConfigLoadOptions = {}): Model {
  const file = opts.filename;
  if (typeof spec !== 'object' || spec == null || Array.isArray(spec)) throw new FormatError(file, `a model config must be a JSON object, got ${Array.isArray(spec) ? 'an array' : typeof spec}.`);
  let full: Config = spec;
  if (typeof spec.class_name !== 'string') {
    // A bare `get_config()` dict: Functional when it has a graph, else Sequential.
    if (!Array.isArray(spec.layers)) throw new FormatError(file, 'the model config has no `class_name` and no `layers`; it is not a Keras model config.');
    full = { class_name: isFunctionalConfig(spec) ? 'Functional' : 'Sequential', config: spec };
  }
  if (opts.safeMode !== false) assertSafeConfig(full, file, opts.customObjects);
  else assertNoBytecode(full, file);
  const converted = toKeras3Config(full);
  const className = converted.class_name as string;
  let model: Model;
  try {
    if (className === 'Sequential' && converted.registered_name == null) model = Sequential.fromConfig(converted.config as Config, opts.customObjects) as Model;
    else if ((className === 'Functional' || className === 'Model') && isFunctionalConfig(converted.config) && (converted.registered_name == null || converted.registered_name === 'Functional')) {
      model = Model.fromConfig(converted.config as Config, opts.customObjects) as Model;
    } else {
      const obj = deserializeKerasObject<unknown>('model', converted as SerializedObject, opts.customObjects);
      if (!(obj instanceof Model)) throw new FormatError(file, `the config's top-level class "${className}" is not a model.`);
      model = obj;
    }
  } catch (e) {
    if (e instanceof IoError) throw e;
    if (e instanceof SerializationError || e instanceof StrataError) throw new FormatError(file, `cannot rebuild the model from its config: ${(e as Error).message}`, { cause: e });
    throw new FormatError(file, `cannot rebuild the model from its config (${(e as Error).message}).`, { cause: e });
  }
  // `build_config`: a model without an input shape in its layers is built as Keras does on load.
  const build = converted.build_config as { input_shape?: Shape | null } | undefined;
  if (build?.input_shape != null) {
    try {
      buildFromConfig(model, build.input_shape);
    } catch (e) {
      model.dispose();
      throw new FormatError(file, `cannot build the model for its build_config input_shape ${JSON.stringify(build.input_shape)}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (opts.compile !== false) {
    const cc = (converted.compile_config ?? converted.training_config) as Config | undefined;
    try {
      compileFromConfig(model, cc, opts.customObjects);
    } catch (e) {
      model.dispose();
      throw new FormatError(file, `cannot compile the model from its compile_config: ${(e as Error).message}`, { cause: e });
    }
  }
  return model;
}

/**
 * Keras' `build_from_config`. Functional/Sequential models are built by their graph; a
 * subclassed model is built as Keras' `Model.build` does, by calling it once (here on zeros,
 * batch size 1 for an unknown batch dimension) so its layers create their variables.
 */
function buildFromConfig(model: Model, inputShape: Shape | Shape[]): void {
  if (model.isFunctional) return;
  if (!model.built) model.build(inputShape);
  if (model.layers.every((l) => l.built) && model.weights.length > 0) return;
  const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
  const zeros = shapes.map((s) => ops.zeros(s.map((d) => d ?? 1)));
  try {
    tidy(() => {
      if (zeros.length === 1) model.apply(zeros[0]!);
      else model.apply(zeros);
    });
  } finally {
    for (const z of zeros) z.dispose();
  }
}

/**
 * Parses JSON as Python's `json` module writes it: bare `NaN`, `Infinity` and `-Infinity`
 * (outside strings) are accepted.
 */
export function parseKerasJson(text: string, file?: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Replace the bare tokens with sentinel strings, outside string literals only.
    const out: string[] = [];
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        out.push(text.slice(i, j + 1));
        i = j + 1;
      } else if (text.startsWith('-Infinity', i)) {
        out.push('"__strata_-inf__"');
        i += 9;
      } else if (text.startsWith('Infinity', i)) {
        out.push('"__strata_inf__"');
        i += 8;
      } else if (text.startsWith('NaN', i)) {
        out.push('"__strata_nan__"');
        i += 3;
      } else {
        out.push(c);
        i++;
      }
    }
    const special: Record<string, number> = { '__strata_-inf__': -Infinity, __strata_inf__: Infinity, __strata_nan__: Number.NaN };
    try {
      return JSON.parse(out.join(''), (_k, v) => (typeof v === 'string' && v in special ? special[v] : v));
    } catch (e) {
      throw new FormatError(file, `invalid JSON (${(e as Error).message}).`, { cause: e });
    }
  }
}

/** Python `json.dumps` (default separators `", "`, `": "`; NaN/Infinity bare) of a config. */
export function stringifyKerasJson(value: unknown): string {
  const write = (x: unknown): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'number') {
      if (Number.isNaN(x)) return 'NaN';
      if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
      return formatFloat(x);
    }
    if (typeof x === 'string' || typeof x === 'boolean') return JSON.stringify(x);
    if (Array.isArray(x)) return `[${x.map(write).join(', ')}]`;
    if (typeof x === 'object') {
      const entries = Object.entries(x).filter(([, v]) => v !== undefined && typeof v !== 'function');
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${write(v)}`).join(', ')}}`;
    }
    return 'null';
  };
  return write(value);
}

/** A JS number as Python's `repr` prints it (the integer/float distinction is lost in JS: integers stay integers). */
function formatFloat(x: number): string {
  const s = String(x);
  // Python writes 1e-07 where JS writes 1e-7, and 1e+20 as 1e+20.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** `model.to_json()`: the model's Keras 3 config (with `build_config`/`compile_config`) as Keras' JSON text. */
export function modelToJSON(model: Model): string {
  return stringifyKerasJson(modelToConfig(model));
}

/** `keras.models.model_from_json`: a model from `modelToJSON` text (or Keras' / Keras 2's JSON). */
export function modelFromJSON(json: string, opts: ConfigLoadOptions = {}): Model {
  if (typeof json !== 'string') throw new FormatError(opts.filename, `modelFromJSON expects a JSON string, got ${typeof json}.`);
  const spec = parseKerasJson(json, opts.filename);
  return modelFromConfig(spec as Config, opts);
}
