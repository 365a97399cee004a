import { type Config, type SerializedObject, type Tensor, ValueError, ops } from '@strata/core';
import { registerActivation } from '@strata/layers';
import { FormatError } from '../errors';

/**
 * Converts model topologies between Keras 3's config schema (what `@strata/models` reads and
 * writes) and the Keras 2 dialect of TF.js' `model.json` (what tfjs-layers reads and writes):
 * - objects: `{module, class_name, config, registered_name}` <-> `{class_name, config}`;
 * - layer `dtype`: a `DTypePolicy` dict <-> a plain string (`Policy` dict for mixed precision);
 * - `InputLayer`: `batch_shape` <-> `batch_input_shape`;
 * - Functional nodes: `{args, kwargs}` with `__keras_tensor__` refs <-> lists of
 *   `[layer_name, node_index, tensor_index, kwargs]`; `input_layers`/`output_layers` always lists;
 * - regularizers: Keras 3's `L1`/`L2` <-> `L1L2` (the only regularizer class tfjs-layers has);
 * - `hard_sigmoid`: Keras 2 and tfjs compute `clip(0.2 x + 0.5, 0, 1)` while Keras 3 computes
 *   `relu6(x + 3) / 6`, so a Keras-2 `hard_sigmoid` becomes the `keras2_hard_sigmoid` activation.
 */

/** A dialect-2 object: `{class_name, config}`. */
interface Keras2Object {
  class_name: string;
  config: unknown;
  [key: string]: unknown;
}

/** Keras 2's (and tfjs-layers') hard sigmoid: `clip(0.2 x + 0.5, 0, 1)`. */
export const keras2HardSigmoid = registerActivation('keras2_hard_sigmoid', (x: Tensor) => ops.clip(ops.add(ops.multiply(x, 0.2), 0.5), 0, 1));

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
const ACTIVATION_KEYS = new Set(['activation', 'recurrent_activation']);
/** Keras 3 activation names tfjs-layers spells differently (it knows `swish`, not `silu`). */
const ACTIVATIONS_TO_2: Record<string, string> = { keras2_hard_sigmoid: 'hard_sigmoid', silu: 'swish' };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x != null && !Array.isArray(x);
}

function isSerialized(x: unknown): x is Keras2Object {
  return isObject(x) && typeof x.class_name === 'string' && 'config' in x;
}

/**
 * Keras 2 (and tfjs-layers) count a nested model's own internal node as its node 0, so calls
 * of a nested Functional model, or of a Sequential that has an input shape, are numbered from 1
 * (tf.keras `_should_skip_first_node`); Strata's Keras 3 configs number every layer's calls from 0.
 */
function skipsFirstNode(spec: unknown): boolean {
  if (!isSerialized(spec)) return false;
  if (spec.class_name === 'Functional' || spec.class_name === 'Model') return true;
  if (spec.class_name !== 'Sequential') return false;
  const layers = Array.isArray(spec.config) ? spec.config : ((spec.config as Config | null)?.layers as unknown[] | undefined);
  const first = layers?.[0];
  if (!isSerialized(first)) return false;
  const cfg = (first.config ?? {}) as Config;
  return first.class_name === 'InputLayer' || cfg.batch_input_shape != null || cfg.batch_shape != null;
}

/** Shifts the node index of `[name, node, tensor, ...]` refs to layers in `shifted` by `by`. */
function shiftRef(ref: unknown, shifted: Set<string>, by: number): unknown {
  if (!Array.isArray(ref) || typeof ref[0] !== 'string') return ref;
  if (!shifted.has(ref[0]) || typeof ref[1] !== 'number') return ref;
  return [ref[0], Math.max(0, ref[1] + by), ...ref.slice(2)];
}

function shiftRefs(refs: unknown, shifted: Set<string>, by: number): unknown {
  if (Array.isArray(refs) && typeof refs[0] === 'string') return shiftRef(refs, shifted, by);
  return Array.isArray(refs) ? refs.map((r) => shiftRef(r, shifted, by)) : refs;
}

// =================================================================== Keras 3 -> Keras 2

/** The `modelTopology` of a TF.js `model.json` for a Keras 3 model config. */
export function toKeras2Topology(model: SerializedObject, kerasVersion: string): Config {
  return { ...modelTo2(model), keras_version: kerasVersion, backend: 'tensor_flow.js' };
}

function modelTo2(spec: SerializedObject): Keras2Object {
  const cfg = spec.config as Config;
  if (spec.class_name === 'Sequential') {
    const layers = ((cfg.layers ?? []) as SerializedObject[]).map((l) => layerTo2(l));
    return { class_name: 'Sequential', config: { name: cfg.name, layers } };
  }
  if (spec.class_name === 'Functional' || spec.class_name === 'Model') {
    if (cfg.layers == null) {
      throw new ValueError(`Model "${String(cfg.name)}" is a subclassed model without a graph; the TF.js layers format can only store Sequential and Functional models.`);
    }
    const specs = cfg.layers as SerializedObject[];
    const nested = new Set(specs.filter(skipsFirstNode).map((l) => String(l.name)));
    const layers = specs.map((l) => {
      const out = layerTo2(l);
      out.name = l.name;
      out.inbound_nodes = ((l.inbound_nodes ?? []) as { args: unknown[]; kwargs?: Config }[]).map((n) => nodeTo2(n).map((r) => shiftRef(r, nested, 1)));
      return out;
    });
    const refs = (x: unknown) => shiftRefs(Array.isArray(x) && typeof x[0] === 'string' ? [x] : x, nested, 1);
    return {
      class_name: 'Functional',
      config: { name: cfg.name, trainable: cfg.trainable, layers, input_layers: refs(cfg.input_layers), output_layers: refs(cfg.output_layers) },
    };
  }
  throw new ValueError(`Cannot store a model of class "${spec.class_name}" in the TF.js layers format (Sequential and Functional models only).`);
}

function layerTo2(spec: SerializedObject): Keras2Object {
  if (MODEL_CLASSES.has(spec.class_name)) return modelTo2(spec);
  const config: Config = {};
  for (const [key, value] of Object.entries(spec.config ?? {})) {
    if (ACTIVATION_KEYS.has(key) && value === 'hard_sigmoid') {
      throw new ValueError(
        `Layer "${String(spec.config.name)}": Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no TF.js equivalent (tfjs-layers' hard_sigmoid is clip(0.2 x + 0.5, 0, 1)); use another activation, or keras2_hard_sigmoid for the tfjs one.`,
      );
    }
    config[key] = ACTIVATION_KEYS.has(key) && typeof value === 'string' && value in ACTIVATIONS_TO_2 ? ACTIVATIONS_TO_2[value] : valueTo2(value);
  }
  if (spec.class_name === 'InputLayer') {
    config.batch_input_shape = config.batch_shape;
    delete config.batch_shape;
    delete config.optional;
  }
  delete config.quantization_config;
  if (spec.class_name === 'Bidirectional') bidirectionalTo2(config);
  if (spec.class_name === 'LeakyReLU' && 'negative_slope' in config) {
    // Keras 3 renamed LeakyReLU's `alpha`; tfjs-layers only knows the Keras 2 name.
    config.alpha = config.negative_slope;
    delete config.negative_slope;
  }
  if (spec.class_name === 'ReLU' && (Number(config.negative_slope ?? 0) !== 0 || Number(config.threshold ?? 0) !== 0)) {
    throw new ValueError(`Layer "${String(config.name)}": tfjs-layers' ReLU has only \`max_value\`; a non-zero \`negative_slope\` or \`threshold\` cannot be stored in the TF.js format.`);
  }
  return { class_name: spec.registered_name ?? spec.class_name, config };
}

/**
 * Keras 3 stores Bidirectional's `layer` as the forward copy (`forward_<name>`) plus a
 * `backward_layer`; Keras 2 and tfjs-layers store the wrapped layer under its own name and
 * derive both copies from it (prefixing `forward_`/`backward_`). A backward layer that is just
 * the mirrored copy is left out, as Keras 2 did.
 */
function bidirectionalTo2(config: Config): void {
  const forward = config.layer as Keras2Object | undefined;
  const backward = config.backward_layer as Keras2Object | undefined;
  if (forward == null) return;
  const fcfg = forward.config as Config;
  const base = String(fcfg.name).replace(/^forward_/, '');
  if (backward != null) {
    const bcfg = backward.config as Config;
    const strip = (c: Config) => JSON.stringify({ ...c, name: null, go_backwards: null });
    if (backward.class_name === forward.class_name && strip(bcfg) === strip(fcfg) && bcfg.go_backwards === !fcfg.go_backwards) delete config.backward_layer;
  }
  config.layer = { ...forward, config: { ...fcfg, name: base } };
}

function nodeTo2(node: { args: unknown[]; kwargs?: Config }): unknown[] {
  const kwargs: Config = {};
  for (const [k, v] of Object.entries(node.kwargs ?? {})) if (v != null) kwargs[k] = valueTo2(v);
  const refs: unknown[] = [];
  const collect = (x: unknown): void => {
    if (isSerialized(x) && x.class_name === '__keras_tensor__') {
      const [name, nodeIndex, tensorIndex] = (x.config as { keras_history: [string, number, number] }).keras_history;
      refs.push([name, nodeIndex, tensorIndex, kwargs]);
    } else if (Array.isArray(x)) x.forEach(collect);
  };
  collect(node.args[0]);
  if (node.args.length > 1) throw new ValueError('The TF.js layers format cannot store layer calls with more than one positional argument.');
  return refs;
}

/** Nested values: serialized objects lose `module`/`registered_name`; dtype policies become strings. */
function valueTo2(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(valueTo2);
  if (!isObject(value)) return value;
  if (isSerialized(value)) {
    const cfg = value.config as Config;
    if (value.class_name === 'DTypePolicy') {
      const name = (cfg as { name?: string }).name ?? 'float32';
      return name.startsWith('mixed_') ? { class_name: 'Policy', config: { name } } : name;
    }
    if (value.class_name === 'function' && typeof value.config === 'string') return value.config;
    if (value.class_name === 'L1' || value.class_name === 'L2') {
      return { class_name: 'L1L2', config: { l1: Number(cfg.l1 ?? 0), l2: Number(cfg.l2 ?? 0) } };
    }
    const name = (value.registered_name as string | null | undefined) ?? value.class_name;
    if (MODEL_CLASSES.has(value.class_name)) return modelTo2(value as SerializedObject);
    if ('name' in cfg && 'trainable' in cfg) return layerTo2(value as SerializedObject); // a wrapped layer (Bidirectional, TimeDistributed)
    return { class_name: name, config: valueTo2(value.config) };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueTo2(v)]));
}

// =================================================================== Keras 2 -> Keras 3

/**
 * The Keras 3 model config for a TF.js `modelTopology` (tfjs-layers' `{class_name, config,
 * keras_version, backend}` or the converter's `{model_config, training_config, ...}`).
 */
export function fromKeras2Topology(topology: unknown, file: string): SerializedObject {
  let top = topology;
  if (isObject(top) && isObject(top.model_config)) top = top.model_config;
  if (!isSerialized(top)) {
    throw new FormatError(file, `"modelTopology" must be an object with "class_name" and "config", got ${describe(topology)}.`);
  }
  return modelTo3(top, file);
}

function describe(x: unknown): string {
  const s = JSON.stringify(x);
  return s == null ? String(x) : s.length > 120 ? `${s.slice(0, 120)}...` : s;
}

function modelTo3(spec: Keras2Object, file: string): SerializedObject {
  if (spec.class_name === 'Sequential') {
    // Very old Keras wrote a Sequential config as a bare list of layers.
    const cfg = (Array.isArray(spec.config) ? { layers: spec.config } : spec.config) as Config;
    if (!Array.isArray(cfg.layers)) throw new FormatError(file, `Sequential "${String(cfg.name)}": "layers" must be a list, got ${describe(cfg.layers)}.`);
    const layers = cfg.layers.map((l, i) => layerTo3(l, file, `layers[${i}]`));
    const config: Config = { name: cfg.name, layers };
    if (cfg.trainable === false) config.trainable = false;
    return { module: 'keras', class_name: 'Sequential', config, registered_name: null };
  }
  if (spec.class_name === 'Functional' || spec.class_name === 'Model') {
    const cfg = spec.config as Config;
    if (!isObject(cfg) || !Array.isArray(cfg.layers)) throw new FormatError(file, `${spec.class_name} model: "config.layers" must be a list, got ${describe(cfg?.layers)}.`);
    const nested = new Set(cfg.layers.filter(skipsFirstNode).map((l) => String((l as Config).name ?? ((l as Keras2Object).config as Config).name)));
    const layers = cfg.layers.map((l, i) => {
      const where = `layers[${i}]`;
      const out = layerTo3(l, file, where) as SerializedObject & { name?: unknown; inbound_nodes?: unknown };
      const raw = l as Record<string, unknown>;
      out.name = raw.name ?? (out.config as Config).name;
      const nodes = raw.inbound_nodes ?? [];
      if (!Array.isArray(nodes)) throw new FormatError(file, `${where} ("${String(out.name)}"): "inbound_nodes" must be a list, got ${describe(nodes)}.`);
      out.inbound_nodes = nodes.map((n, j) => nodeTo3(Array.isArray(n) ? n.map((r) => shiftRef(r, nested, -1)) : n, file, `${where}.inbound_nodes[${j}]`));
      return out;
    });
    const config: Config = {
      name: cfg.name,
      trainable: cfg.trainable ?? true,
      layers,
      input_layers: shiftRefs(cfg.input_layers, nested, -1),
      output_layers: shiftRefs(cfg.output_layers, nested, -1),
    };
    return { module: 'keras.src.models.functional', class_name: 'Functional', config, registered_name: 'Functional' };
  }
  throw new FormatError(file, `model class "${spec.class_name}" is not supported (Sequential, Functional or Model expected).`);
}

function layerTo3(raw: unknown, file: string, where: string): SerializedObject {
  if (!isSerialized(raw) || !isObject(raw.config)) throw new FormatError(file, `${where} must be an object with "class_name" and "config", got ${describe(raw)}.`);
  if (MODEL_CLASSES.has(raw.class_name)) return modelTo3(raw, file);
  const config: Config = {};
  for (const [key, value] of Object.entries(raw.config)) {
    // tfjs writes unset options as null; Keras 3's defaults for them are the same "unset".
    if (value == null) continue;
    config[key] = ACTIVATION_KEYS.has(key) && value === 'hard_sigmoid' ? 'keras2_hard_sigmoid' : valueTo3(value, file, where);
  }
  const cls = raw.class_name;
  if (cls === 'InputLayer' && config.batch_input_shape != null) {
    config.batch_shape = config.batch_input_shape;
    delete config.batch_input_shape;
  }
  // Keras 3 dropped these (saving_utils.model_from_config / the layers' __init__).
  if (cls === 'Embedding') delete config.input_length;
  if (cls === 'LSTM' || cls === 'GRU' || cls === 'SimpleRNN' || cls.endsWith('Cell')) {
    delete config.implementation;
    delete config.time_major;
  }
  if (cls === 'BatchNormalization' && Array.isArray(config.axis) && config.axis.length === 1) config.axis = config.axis[0];
  if (cls === 'LeakyReLU' && 'alpha' in config) {
    config.negative_slope = config.alpha;
    delete config.alpha;
  }
  if (config.function != null && cls === 'Lambda') {
    throw new FormatError(file, `${where} ("${String(config.name)}"): Lambda layers hold Python bytecode, which cannot be loaded; rebuild the layer in code and load the weights only.`);
  }
  return { module: 'keras.layers', ...classNames(cls), config };
}

/** Keras 2 wrote a registered custom class as `class_name: "Package>Name"`; Keras 3 splits it. */
function classNames(className: string): { class_name: string; registered_name: string | null } {
  const at = className.indexOf('>');
  return at < 0 ? { class_name: className, registered_name: null } : { class_name: className.slice(at + 1), registered_name: className };
}

function valueTo3(value: unknown, file: string, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => valueTo3(v, file, where));
  if (!isObject(value)) return value;
  if (isSerialized(value)) {
    if (value.class_name === 'Policy' || value.class_name === 'DTypePolicy') {
      return { module: 'keras', class_name: 'DTypePolicy', config: value.config, registered_name: null };
    }
    if (MODEL_CLASSES.has(value.class_name)) return modelTo3(value, file);
    const cfg = value.config;
    if (isObject(cfg) && 'name' in cfg && 'trainable' in cfg) return layerTo3(value, file, where); // a wrapped layer
    return { module: null, ...classNames(value.class_name), config: valueTo3(cfg, file, where) };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueTo3(v, file, where)]));
}

function nodeTo3(node: unknown, file: string, where: string): { args: unknown[]; kwargs: Config } {
  if (isObject(node) && Array.isArray(node.args)) return { args: node.args, kwargs: (node.kwargs ?? {}) as Config };
  if (!Array.isArray(node)) throw new FormatError(file, `${where}: a node must be a list of [layer_name, node_index, tensor_index, kwargs], got ${describe(node)}.`);
  let kwargs: Config = {};
  const tensors = node.map((entry, k) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]) || !Number.isInteger(entry[2])) {
      throw new FormatError(file, `${where}[${k}]: expected [layer_name, node_index, tensor_index, kwargs], got ${describe(entry)}.`);
    }
    if (isObject(entry[3])) kwargs = entry[3] as Config;
    return { class_name: '__keras_tensor__', config: { shape: null, dtype: null, keras_history: [entry[0], entry[1], entry[2]] } };
  });
  return { args: [tensors.length === 1 ? tensors[0] : tensors], kwargs: valueTo3(kwargs, file, where) as Config };
}
