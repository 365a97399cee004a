import { type Shape, type Variable, formatShape } from '@strata/core';
import type { Layer, Node } from '@strata/layers';
import type { Model } from './model';

export interface SummaryOptions {
  /** Where lines go; default console.log. */
  printFn?: (line: string) => void;
}

interface Layout {
  widths: number[];
  headers: string[];
  rightAligned: boolean[];
}

// Keras renders the table for an 80-column terminal (76 characters wide); these are the column
// widths it ends up with there, borders included on the left of each column.
const SEQUENTIAL: Layout = { widths: [33, 24, 15], headers: ['Layer (type)', 'Output Shape', 'Param #'], rightAligned: [false, false, true] };
const FUNCTIONAL: Layout = {
  widths: [21, 19, 12, 19],
  headers: ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'],
  rightAligned: [false, false, true, false],
};

/** Greedy word wrap to `width`; a word longer than a line is cut with an ellipsis. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const raw of text.split(' ')) {
    const word = raw.length > width ? `${raw.slice(0, width - 1)}…` : raw;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

function rule(layout: Layout, left: string, mid: string, right: string, fill: string): string {
  return left + layout.widths.map((w) => fill.repeat(w)).join(mid) + right;
}

function row(layout: Layout, cells: string[], bar: string): string[] {
  const wrapped = cells.map((c, i) => wrap(c, layout.widths[i]! - 2));
  const height = Math.max(...wrapped.map((w) => w.length));
  const out: string[] = [];
  for (let r = 0; r < height; r++) {
    const parts = wrapped.map((w, i) => {
      const text = w[r] ?? '';
      const inner = layout.widths[i]! - 2;
      return ` ${layout.rightAligned[i] ? text.padStart(inner) : text.padEnd(inner)} `;
    });
    out.push(bar + parts.join(bar) + bar);
  }
  return out;
}

/** Keras' `readable_memory_size`. */
export function readableMemorySize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  for (const unit of units) {
    if (size / 1024 < 1) return `${size.toFixed(2)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(2)} PB`;
}

function countWithSize(vars: { size: number; dtype: string }[]): string {
  const count = vars.reduce((n, v) => n + v.size, 0);
  const bytes = vars.reduce((n, v) => n + v.size * (v.dtype === 'float16' ? 2 : v.dtype === 'bool' ? 1 : 4), 0);
  return `${count.toLocaleString('en-US')} (${readableMemorySize(bytes)})`;
}

function nodesInModel(model: Model): Set<Node> {
  const set = new Set<Node>();
  for (const l of model.layers) for (const n of l.inboundNodes) set.add(n);
  return set;
}

/** Keras calls a model "sequential-like" when its graph is a single chain without sharing. */
function isSequentialLike(model: Model): boolean {
  if (model.className === 'Sequential' || !model.isFunctional) return true;
  const nodes = nodesInModel(model);
  for (const layer of model.layers) {
    const mine = layer.inboundNodes.filter((n) => nodes.has(n));
    if (mine.length > 1) return false;
    for (const n of mine) if (n.inputTensors.length > 1) return false;
  }
  for (const layer of model.layers) {
    const consumers = layer.outboundNodes.filter((n) => nodes.has(n));
    if (consumers.length > 1) return false;
  }
  return true;
}

function outputShapeOf(layer: Layer): string {
  try {
    if (layer.inboundNodes.length === 0) return '?';
    const shape = layer.outputShape as Shape | Shape[];
    return Array.isArray(shape[0]) ? `[${(shape as Shape[]).map(formatShape).join(', ')}]` : formatShape(shape as Shape);
  } catch {
    return '?';
  }
}

function connectedTo(layer: Layer, nodes: Set<Node>): string {
  const parts: string[] = [];
  for (const node of layer.inboundNodes) {
    if (!nodes.has(node)) continue;
    for (const t of node.inputTensors) {
      const h = t.kerasHistory!;
      parts.push(`${(h.operation as Layer).name}[${h.nodeIndex}][${h.tensorIndex}]`);
    }
  }
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** Builds Keras' summary table for `model`, prints it, and returns it. */
export function printSummary(model: Model, options: SummaryOptions = {}): string {
  const layout = isSequentialLike(model) ? SEQUENTIAL : FUNCTIONAL;
  const nodes = nodesInModel(model);
  const lines: string[] = [`Model: "${model.name}"`];
  lines.push(rule(layout, '┏', '┳', '┓', '━'));
  lines.push(...row(layout, layout.headers, '┃'));
  lines.push(rule(layout, '┡', '╇', '┩', '━'));
  const layers = model.layers;
  layers.forEach((layer, i) => {
    const params = layer.built || layer.weights.length > 0 ? layer.countParams().toLocaleString('en-US') : '0 (unbuilt)';
    const cells = [`${layer.name} (${layer.className})`, outputShapeOf(layer), params];
    if (layout === FUNCTIONAL) cells.push(connectedTo(layer, nodes));
    lines.push(...row(layout, cells, '│'));
    if (i < layers.length - 1) lines.push(rule(layout, '├', '┼', '┤', '─'));
  });
  lines.push(rule(layout, '└', '┴', '┘', '─'));
  const weights = model.weights;
  const trainable = model.trainableWeights;
  const trainableSet = new Set(trainable);
  // As Keras: optimizer params are shown once the optimizer is built (after the first step).
  const optimizer = model.optimizer as { variables: Variable[]; built?: boolean } | null;
  const optimizerVars = optimizer != null && optimizer.built !== false ? optimizer.variables : [];
  lines.push(` Total params: ${countWithSize([...weights, ...optimizerVars])}`);
  lines.push(` Trainable params: ${countWithSize(trainable)}`);
  lines.push(` Non-trainable params: ${countWithSize(weights.filter((w) => !trainableSet.has(w)))}`);
  if (optimizerVars.length > 0) lines.push(` Optimizer params: ${countWithSize(optimizerVars)}`);
  const text = lines.join('\n');
  (options.printFn ?? console.log)(text);
  return text;
}
