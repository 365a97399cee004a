import {
  type Config,
  type CustomObjects,
  type KerasTensor,
  SerializationError,
  type SerializedObject,
  deserializeKerasObject,
  isKerasTensor,
  serializeKerasObject,
} from '@strata/core';
import { InputLayer, type Layer, type Node } from '@strata/layers';

/** `[layer_name, node_index, tensor_index]`, Keras' reference to a tensor in a graph config. */
type History = [string, number, number];

interface KerasTensorConfig {
  class_name: '__keras_tensor__';
  config: { shape: (number | null)[]; dtype: string; keras_history: History };
}

interface NodeConfig {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

interface LayerSpec extends SerializedObject {
  name: string;
  inbound_nodes: NodeConfig[];
  build_config?: { input_shape: unknown };
}

/** The graph description a Functional model needs: nodes in order, layers, inputs and outputs. */
export interface GraphView {
  name: string;
  trainable: boolean;
  layers: Layer[];
  inputs: KerasTensor[];
  outputs: KerasTensor[];
}

/** Index of `node` among the nodes of its layer that belong to this model (Keras' node index). */
function nodeIndexer(nodes: Set<Node>) {
  return (layer: Layer, node: Node) => layer.inboundNodes.filter((n) => nodes.has(n)).indexOf(node);
}

/** Keras 3's Functional `get_config`: layers with their inbound nodes, input and output refs. */
export function functionalConfig(view: GraphView): Config {
  const nodes = new Set(view.layers.flatMap((l) => l.inboundNodes));
  const indexOf = nodeIndexer(nodes);
  const ref = (t: KerasTensor): History => {
    const h = t.kerasHistory!;
    const layer = h.operation as Layer;
    return [layer.name, indexOf(layer, layer.inboundNodes[h.nodeIndex]!), h.tensorIndex];
  };
  const tensorConfig = (t: KerasTensor): KerasTensorConfig => ({
    class_name: '__keras_tensor__',
    config: { shape: [...t.shape], dtype: t.dtype, keras_history: ref(t) },
  });
  const layers = view.layers.map((layer) => {
    const spec = serializeKerasObject(layer) as LayerSpec;
    if (!(layer instanceof InputLayer) && layer.buildInputShape != null) spec.build_config = { input_shape: layer.buildInputShape };
    spec.name = layer.name;
    spec.inbound_nodes = layer.inboundNodes
      .filter((n) => nodes.has(n) && !n.isInput)
      .map((n) => {
        const inputs = n.inputTensors.map(tensorConfig);
        const kwargs: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(n.callArgs)) if (v !== undefined && !isKerasTensor(v)) kwargs[k] = v;
        return { args: [n.inputsWereList ? inputs : inputs[0]], kwargs };
      });
    return spec;
  });
  return {
    name: view.name,
    trainable: view.trainable,
    layers,
    input_layers: view.inputs.map(ref),
    output_layers: view.outputs.map(ref),
  };
}

function isTensorConfig(x: unknown): x is KerasTensorConfig {
  return typeof x === 'object' && x != null && (x as KerasTensorConfig).class_name === '__keras_tensor__';
}

/**
 * Rebuilds the layers of a Keras Functional config and replays their calls, as Keras'
 * `functional_from_config` does: a node runs once every tensor it reads exists.
 */
export function graphFromConfig(
  config: Config,
  customObjects?: CustomObjects,
): { name: string | undefined; inputs: KerasTensor[]; outputs: KerasTensor[]; trainable: boolean } {
  const specs = (config.layers ?? []) as LayerSpec[];
  const layers = new Map<string, Layer>();
  // A config that fails part-way leaves no layer (and no weight) behind.
  try {
    const produced = new Map<string, KerasTensor[][]>(); // layer name -> outputs per config node
    const pending: { layer: Layer; node: NodeConfig }[] = [];
    for (const spec of specs) {
      const layer = deserializeKerasObject<Layer>('layer', spec, customObjects);
      const name = spec.name ?? layer.name;
      layers.set(name, layer);
      if (layer instanceof InputLayer) produced.set(name, [layer.inboundNodes[0]!.outputTensors]);
      else produced.set(name, []);
      for (const node of spec.inbound_nodes ?? []) pending.push({ layer, node });
    }
    const lookup = (h: History): KerasTensor | undefined => produced.get(h[0])?.[h[1]]?.[h[2]];
    const resolve = (x: unknown): unknown => {
      if (isTensorConfig(x)) return lookup(x.config.keras_history);
      if (Array.isArray(x)) return x.map(resolve);
      return x;
    };
    const ready = (x: unknown): boolean => (isTensorConfig(x) ? lookup(x.config.keras_history) != null : Array.isArray(x) ? x.every(ready) : true);

    // Nodes must run in the order each layer was called; a layer's later node waits for its earlier.
    while (pending.length > 0) {
      const i = pending.findIndex(
        ({ layer, node }, j) => firstPendingOf(pending, layer) === j && ready(node.args) && ready(Object.values(node.kwargs ?? {})),
      );
      if (i < 0) {
        const stuck = pending.map((p) => p.layer.name).join(', ');
        throw new SerializationError(`Functional config: cannot connect layer(s) ${stuck}; an input they read is never produced.`);
      }
      const { layer, node } = pending.splice(i, 1)[0]!;
      const [first, ...rest] = node.args.map(resolve);
      if (rest.length > 0) throw new SerializationError(`Functional config: layer "${layer.name}" is called with extra positional arguments, which are not supported.`);
      const kwargs = Object.fromEntries(Object.entries(node.kwargs ?? {}).map(([k, v]) => [k, resolve(v)]));
      const out = layer.apply(first as KerasTensor, kwargs);
      produced.get(layerName(layers, layer))!.push(Array.isArray(out) ? out : [out]);
    }

    const refs = (key: string): KerasTensor[] => {
      const raw = (config[key] ?? []) as History[] | History;
      const list = (Array.isArray(raw[0]) ? raw : [raw]) as History[];
      return list.map((h) => {
        const t = lookup(h);
        if (t == null) throw new SerializationError(`Functional config: ${key} names ${JSON.stringify(h)}, which no layer produces.`);
        return t;
      });
    };
    return { name: config.name as string | undefined, inputs: refs('input_layers'), outputs: refs('output_layers'), trainable: config.trainable !== false };
  } catch (err) {
    for (const layer of layers.values()) layer.dispose();
    throw err;
  }
}

function firstPendingOf(pending: { layer: Layer }[], layer: Layer): number {
  return pending.findIndex((p) => p.layer === layer);
}

function layerName(layers: Map<string, Layer>, layer: Layer): string {
  for (const [name, l] of layers) if (l === layer) return name;
  return layer.name;
}
