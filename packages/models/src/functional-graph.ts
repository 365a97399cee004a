import { type KerasTensor, type Tensor, ValueError } from '@strata/core';
import type { Layer, Node } from '@strata/layers';

/** A Functional graph in execution order (Keras' `map_graph`). */
export interface Graph {
  /** Every node except the input nodes, deepest first: a valid execution order. */
  nodes: Node[];
  /** Layers ordered by decreasing depth, ties by traversal order (Keras `model.layers`). */
  layers: Layer[];
}

function nodeOf(t: KerasTensor): Node {
  const h = t.kerasHistory;
  if (h == null) {
    throw new ValueError(`Tensor ${t.name} is not the output of a layer; Functional models are built from keras.Input().`);
  }
  return (h.operation as Layer).inboundNodes[h.nodeIndex]!;
}

/** Walks back from `outputs` to `inputs` and orders nodes and layers as Keras does. */
export function mapGraph(inputs: KerasTensor[], outputs: KerasTensor[]): Graph {
  const layerIndex = new Map<Layer, number>();
  const finished = new Set<Node>();
  const inProgress = new Set<Node>();
  const decreasingDepth: Node[] = [];
  const inputIds = new Set(inputs.map((t) => t.id));

  const visit = (t: KerasTensor) => {
    const node = nodeOf(t);
    if (inProgress.has(node)) throw new ValueError(`The Functional graph has a cycle at layer "${node.layer.name}".`);
    if (finished.has(node)) return;
    if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, layerIndex.size);
    inProgress.add(node);
    if (!node.isInput && !inputIds.has(t.id)) for (const x of node.inputTensors) visit(x);
    finished.add(node);
    inProgress.delete(node);
    decreasingDepth.push(node);
  };
  for (const t of outputs) visit(t);

  const nodeDepth = new Map<Node, number>();
  const layerDepth = new Map<Layer, number>();
  for (let i = decreasingDepth.length - 1; i >= 0; i--) {
    const node = decreasingDepth[i]!;
    let depth = nodeDepth.get(node) ?? 0;
    depth = Math.max(depth, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, depth);
    nodeDepth.set(node, depth);
    if (!node.isInput) {
      for (const parent of node.parentNodes) nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
    }
  }

  for (const t of inputs) {
    const node = nodeOf(t);
    if (!node.isInput) throw new ValueError(`Model inputs must come from keras.Input(); ${t.name} was made by layer "${node.layer.name}".`);
  }
  const reachedInputs = new Set([...finished].filter((n) => n.isInput).flatMap((n) => n.outputTensors.map((t) => t.id)));
  for (const id of reachedInputs) {
    if (!inputIds.has(id)) {
      throw new ValueError('Graph disconnected: an output depends on an Input that is not among the model inputs.');
    }
  }

  const byDepthThenIndex = <T>(depth: Map<T, number>, index: (x: T) => number) => (a: T, b: T) =>
    depth.get(b)! - depth.get(a)! || index(a) - index(b);
  const nodeOrder = new Map(decreasingDepth.map((n, i) => [n, i]));
  const nodes = [...nodeDepth.keys()].filter((n) => !n.isInput).sort(byDepthThenIndex(nodeDepth, (n) => nodeOrder.get(n)!));
  const layers = [...layerDepth.keys()].sort(byDepthThenIndex(layerDepth, (l) => layerIndex.get(l)!));
  return { nodes, layers };
}

/** Runs the graph on concrete tensors; `training` reaches every layer unless a node fixed it. */
export function runGraph(
  graph: Graph,
  inputs: KerasTensor[],
  outputs: KerasTensor[],
  values: Tensor[],
  training: boolean,
): Tensor[] {
  const computed = new Map<number, Tensor>();
  inputs.forEach((t, i) => {
    computed.set(t.id, values[i]!);
  });
  for (const node of graph.nodes) {
    if (node.outputTensors.every((t) => computed.has(t.id))) continue;
    const args = node.inputTensors.map((t) => {
      const v = computed.get(t.id);
      if (v == null) throw new ValueError(`Layer "${node.layer.name}" needs ${t.name}, which was not computed.`);
      return v;
    });
    const out = node.layer.apply((node.inputsWereList ? args : args[0]!) as Tensor, { training, ...node.callArgs });
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => {
      computed.set(t.id, outs[i]!);
    });
  }
  return outputs.map((t) => computed.get(t.id)!);
}
