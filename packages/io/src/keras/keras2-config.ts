import type { Config } from '@strata/core';

/**
 * Rewrites a model config into the Keras 3 dialect `@strata/models` reads, as Keras 3's
 * `saving_utils.model_from_config` and `functional_from_config` do for Keras 2 files:
 * - Functional `inbound_nodes` as lists of `[layer, node_index, tensor_index, kwargs?]` become
 *   `{args, kwargs}` nodes with `__keras_tensor__` references;
 * - `batch_input_shape` on an InputLayer becomes `batch_shape`; BatchNormalization `axis: [3]` -> `3`;
 * - the legacy JSON encodings (`__tuple__`, `TensorShape`, `__passive_serialization__`) are unwrapped;
 * - a bare list of layers (pre-2.2.3 Sequential) becomes `{layers}`;
 * - references to a nested Functional model's outputs drop the model's own first node, which
 *   Keras counts in `input_layers`/`output_layers` (both dialects) and in Keras 2 node lists.
 * Keras 3 configs pass through unchanged (apart from that index shift). Returns a new object.
 */
export function toKeras3Config(spec: Config): Config {
  return convertObject(unwrapLegacy(spec) as Config);
}

/** Whether a model config is Functional-like (a graph with `layers` and `input_layers`). */
export function isFunctionalConfig(config: unknown): boolean {
  return typeof config === 'object' && config != null && !Array.isArray(config) && Array.isArray((config as Config).layers) && 'input_layers' in (config as Config);
}

function unwrapLegacy(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(unwrapLegacy);
  if (typeof x !== 'object' || x == null) return x;
  const o = x as Config;
  if ((o.class_name === '__tuple__' || o.class_name === 'TensorShape') && Array.isArray(o.items)) return (o.items as unknown[]).map(unwrapLegacy);
  const out: Config = {};
  for (const [k, v] of Object.entries(o)) if (k !== '__passive_serialization__') out[k] = unwrapLegacy(v);
  return out;
}

function convertObject(spec: Config): Config {
  const out: Config = { ...spec };
  let config = spec.config as Config | unknown[] | undefined;
  const cls = spec.class_name as string | undefined;
  if (Array.isArray(config)) config = { layers: config }; // very old Sequential
  if (config != null && typeof config === 'object') {
    const c: Config = { ...(config as Config) };
    if (cls === 'InputLayer' && c.batch_input_shape != null && c.batch_shape == null) {
      c.batch_shape = c.batch_input_shape;
      delete c.batch_input_shape;
    }
    if (cls === 'BatchNormalization' && Array.isArray(c.axis) && c.axis.length === 1) c.axis = c.axis[0];
    // Wrappers (TimeDistributed, Bidirectional) hold a layer dict.
    for (const key of ['layer', 'backward_layer']) {
      if (typeof c[key] === 'object' && c[key] != null && typeof (c[key] as Config).class_name === 'string') c[key] = convertObject(c[key] as Config);
    }
    if (Array.isArray(c.layers)) {
      if (isFunctionalConfig(c)) convertGraph(c);
      else c.layers = (c.layers as Config[]).map(convertObject);
    }
    out.config = c;
  }
  return out;
}

type Ref = [string, number, number, Config?];

function convertGraph(c: Config): void {
  const specs = c.layers as Config[];
  const functional = new Set<string>();
  for (const s of specs) if (isFunctionalConfig(s.config)) functional.add(String(s.name ?? (s.config as Config).name));
  const shift = (name: string, index: number): number => (functional.has(name) ? Math.max(0, index - 1) : index);
  const tensorRef = (r: Ref) => ({
    class_name: '__keras_tensor__',
    config: { shape: null, dtype: null, keras_history: [r[0], shift(r[0], r[1]), r[2]] },
  });
  c.layers = specs.map((s) => {
    const layer = convertObject(s);
    const nodes = (s.inbound_nodes ?? []) as unknown[];
    layer.inbound_nodes = nodes.map((node) => {
      if (!Array.isArray(node)) return node; // Keras 3 {args, kwargs}
      const refs = node as Ref[];
      if (refs.length === 0) return { args: [], kwargs: {} };
      const tensors = refs.map(tensorRef);
      return { args: [tensors.length === 1 ? tensors[0] : tensors], kwargs: { ...(refs[0]![3] ?? {}) } };
    });
    return layer;
  });
  const mapRefs = (x: unknown): unknown => {
    if (Array.isArray(x) && x.length === 3 && typeof x[0] === 'string') return [x[0], shift(x[0], x[1] as number), x[2]];
    if (Array.isArray(x)) return x.map(mapRefs);
    if (typeof x === 'object' && x != null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapRefs(v)]));
    return x;
  };
  c.input_layers = mapRefs(c.input_layers);
  c.output_layers = mapRefs(c.output_layers);
}
