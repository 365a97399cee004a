import type { Variable } from '@strata/core';
import { Layer } from '@strata/layers';
import { Model } from '@strata/models';

/** A model weight with the names it goes by in a TF.js weights manifest. */
export interface NamedWeight {
  variable: Variable;
  /** tfjs-layers' `originalName`: `<layer name>/<weight name>`, e.g. `dense/kernel`, `lstm/kernel`. */
  name: string;
  /**
   * Other names files use for it: RNN cell scopes kept (`lstm/lstm_cell/kernel`, Keras 2) and
   * Keras 3's own weight names (`dw/kernel` for tfjs' `dw/depthwise_kernel`).
   */
  aliases: string[];
}

/**
 * Names of the sublayers of `layer` that tfjs-layers builds without a name scope of their own:
 * RNN cells (`lstm/kernel`) and the layer inside a TimeDistributed (`time_distributed/kernel`).
 */
function cellNames(layer: Layer): Set<string> {
  const names = new Set<string>();
  const visit = (l: Layer) => {
    const cell = (l as { cell?: unknown }).cell;
    if (cell instanceof Layer) names.add(cell.name);
    const inner = (l as { layer?: unknown }).layer;
    if (l.className === 'TimeDistributed' && inner instanceof Layer) names.add(inner.name);
    for (const s of l.sublayers) visit(s);
  };
  visit(layer);
  return names;
}

/**
 * Weights Keras 3 renamed: its depthwise convolutions call their kernel `kernel`, where Keras 2
 * and tfjs-layers say `depthwise_kernel`.
 */
const KERAS2_WEIGHT_NAMES: Record<string, Record<string, string>> = {
  DepthwiseConv1D: { kernel: 'depthwise_kernel' },
  DepthwiseConv2D: { kernel: 'depthwise_kernel' },
};

/** The weights of one (non-model) layer, named as tfjs-layers names them. */
function layerWeights(layer: Layer, weights: Variable[]): NamedWeight[] {
  const cells = cellNames(layer);
  const prefix = layer.path != null ? `${layer.path}/` : null;
  const renames = KERAS2_WEIGHT_NAMES[layer.className] ?? {};
  return weights.map((variable) => {
    // The variable path below the layer's own scope, e.g. `lstm_cell/kernel` or `forward_lstm/lstm_cell/kernel`.
    const own = prefix != null && variable.path.startsWith(prefix) ? variable.path.slice(prefix.length) : variable.name;
    const rel = renames[own] ?? own;
    const parts = rel.split('/');
    const kept = parts.filter((p, i) => i === parts.length - 1 || !cells.has(p));
    const name = `${layer.name}/${kept.join('/')}`;
    const aliases = [...new Set([`${layer.name}/${rel}`, `${layer.name}/${own}`])].filter((a) => a !== name);
    return { variable, name, aliases };
  });
}

/**
 * The model's weights in tfjs-layers' `LayersModel.weights` order (the trainable weights of
 * every layer in `model.layers` order, then the non-trainable ones), each with its tfjs name.
 * Layers of nested models are named by the inner layer, as tfjs-layers does.
 */
export function namedWeights(model: Model): NamedWeight[] {
  const leaves: Layer[] = [];
  const collect = (m: Model) => {
    for (const layer of m.layers) {
      if (layer instanceof Model) collect(layer);
      else leaves.push(layer);
    }
  };
  collect(model);
  const seen = new Set<Variable>();
  const fresh = (vs: Variable[]) =>
    vs.filter((v) => {
      if (seen.has(v)) return false;
      seen.add(v);
      return true;
    });
  const trainable = leaves.flatMap((l) => layerWeights(l, fresh(l.trainableWeights)));
  const nonTrainable = leaves.flatMap((l) => layerWeights(l, fresh(l.nonTrainableWeights)));
  return [...trainable, ...nonTrainable];
}
