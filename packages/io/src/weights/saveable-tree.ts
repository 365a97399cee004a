import { type DataType, type Tensor, type Variable, tensor, toSnakeCase } from '@strata/core';
import { Layer } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { FormatError } from '../errors';
import type { H5Array } from '../h5/h5-file';

/** One object whose variables Keras stores in `<path>/vars` of a `.weights.h5` file. */
export interface SaveableEntry {
  /** Inner path without the trailing `/vars` (`''` for the model itself). */
  path: string;
  /** The object's name (the `name` attribute of its `vars` group). */
  name: string;
  /** What to call it in error messages. */
  label: string;
  /** Its own variables, in the order Keras keys them `0`, `1`, ... */
  variables: Variable[];
  kind: 'layer' | 'optimizer';
}

interface OptimizerLike {
  name: string;
  variables: Variable[];
  iterations?: Variable;
}

/**
 * Keras attribute names of sublayers whose Strata property name does not snake-case to it
 * (Keras keeps them private, which also puts them after public attributes in the walk).
 */
const KERAS_ATTRIBUTE_NAMES: Record<string, string> = {
  queryDense: '_query_dense',
  keyDense: '_key_dense',
  valueDense: '_value_dense',
  outputDense: '_output_dense',
};

/** A layer's own variables: `_trainable_variables + _non_trainable_variables` (Keras `save_own_variables`). */
export function ownVariables(layer: Layer): Variable[] {
  const l = layer as unknown as { trainableVariables: Variable[]; nonTrainableVariables: Variable[] };
  return [...l.trainableVariables, ...l.nonTrainableVariables];
}

/** Keras `to_snake_case(obj.__class__.__name__)`; a graph `Model` is Keras' `Functional`. */
export function kerasClassKey(layer: Layer): string {
  let className = layer.className;
  if (layer instanceof Model && !(layer instanceof Sequential) && layer.isFunctional && className === 'Model') className = 'Functional';
  return toSnakeCase(className);
}

/** Whether Keras walks `obj` as a Sequential/Functional (its `layers` first, as a container). */
function isGraphModel(obj: Layer): obj is Model {
  return obj instanceof Model && (obj instanceof Sequential || obj.isFunctional);
}

/** Sublayers held by a layer's properties, with Keras' attribute names, in Keras' walk order. */
function layerChildren(layer: Layer): [string, Layer | Layer[]][] {
  const out: [string, Layer | Layer[]][] = [];
  const skip = new Set(['inboundNodes', 'outboundNodes', 'optimizer']);
  for (const [key, value] of Object.entries(layer)) {
    if (skip.has(key)) continue;
    const attr = KERAS_ATTRIBUTE_NAMES[key] ?? toSnakeCase(key);
    if (value instanceof Layer && value !== layer) out.push([attr, value]);
    else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Layer)) out.push([attr, value as Layer[]]);
  }
  // Keras sorts `dir(obj)` with private names (leading `_`) last.
  const key = (name: string) => (name.startsWith('_') ? `~${name}` : name);
  return out.sort((a, b) => (key(a[0]) < key(b[0]) ? -1 : key(a[0]) > key(b[0]) ? 1 : 0));
}

/**
 * The objects of `model` in the order and at the paths Keras' `_save_state`/`_load_state` visit
 * them (keras/src/saving/saving_lib.py): the model itself at `''`, then for Sequential/Functional
 * models `layers/<snake class name>[_n]` in `model.layers` order, then other attributes
 * (sublayers such as an RNN's `cell`, the `optimizer`) sorted by name with private ones last.
 * Each object is visited once, at its first path.
 */
export function saveableEntries(model: Model): SaveableEntry[] {
  const out: SaveableEntry[] = [];
  const visited = new Set<unknown>();
  const join = (a: string, b: string) => (a === '' ? b : `${a}/${b}`);

  const visitContainer = (items: Layer[], path: string) => {
    const used = new Map<string, number>();
    for (const item of items) {
      let name = kerasClassKey(item);
      const n = used.get(name);
      if (n != null) {
        used.set(name, n + 1);
        name = `${name}_${n + 1}`;
      } else {
        used.set(name, 0);
      }
      visit(item, join(path, name));
    }
  };

  const visit = (obj: Layer, path: string) => {
    if (visited.has(obj)) return;
    visited.add(obj);
    out.push({ path, name: obj.name, label: `layer "${obj.name}" (${path === '' ? '/' : path})`, variables: ownVariables(obj), kind: 'layer' });
    const children: [string, Layer | Layer[] | OptimizerLike][] = [];
    if (isGraphModel(obj)) children.push(['layers', obj.layers]);
    else children.push(...layerChildren(obj));
    if (obj instanceof Model && obj.optimizer != null) children.push(['optimizer', obj.optimizer as unknown as OptimizerLike]);
    const key = (name: string) => (name.startsWith('_') ? `~${name}` : name);
    const rest = children.filter(([n]) => !(n === 'layers' && isGraphModel(obj)));
    rest.sort((a, b) => (key(a[0]) < key(b[0]) ? -1 : key(a[0]) > key(b[0]) ? 1 : 0));
    const ordered = isGraphModel(obj) ? [children[0]!, ...rest] : rest;
    for (const [attr, child] of ordered) {
      if (Array.isArray(child)) visitContainer(child, join(path, attr));
      else if (child instanceof Layer) visit(child, join(path, attr));
      else if (!visited.has(child)) {
        visited.add(child);
        const p = join(path, attr);
        out.push({ path: p, name: child.name, label: `optimizer "${child.name}" (${p})`, variables: [...child.variables], kind: 'optimizer' });
      }
    }
  };

  visit(model, '');
  return out;
}

/** Float32 bits of IEEE half-precision values. */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

/** Float32 values of bfloat16 bits (the high half of a float32). */
export function bfloat16ToFloat(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
  return new Float32Array(words.buffer);
}

/**
 * A tensor of `dtype` holding a dataset's values (float16/bfloat16/float64 widened or narrowed to
 * float32, 64-bit integers to int32). Values that do not fit throw a FormatError naming `file`
 * and the dataset `path`.
 */
export function datasetToTensor(arr: H5Array, dtype: DataType, file: string, path: string): Tensor {
  let values: Float32Array | Int32Array | Uint8Array;
  const src = arr.data;
  if (arr.dtype === 'float16') values = halfToFloat(src as Uint16Array);
  else if (arr.dtype === 'bfloat16') values = bfloat16ToFloat(src as Uint16Array);
  else if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    values = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = Number(src[i]!);
      if (v > 2147483647 || v < -2147483648) throw new FormatError(file, `${path}: value ${src[i]} does not fit in int32`);
      values[i] = v;
    }
  } else {
    values = Float32Array.from(src as ArrayLike<number>);
  }
  if (dtype === 'float32') return tensor(values instanceof Float32Array ? values : Float32Array.from(values), arr.shape, 'float32');
  if (dtype === 'int32') return tensor(values instanceof Int32Array ? values : Int32Array.from(values, (v) => Math.trunc(v)), arr.shape, 'int32');
  if (dtype === 'bool') return tensor(Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)), arr.shape, 'bool');
  throw new FormatError(file, `${path}: cannot load into a variable of dtype ${dtype}`);
}

/** `[a, b]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * Assignments gathered before anything is written into the model, so a failed load leaves it
 * untouched (values are checked and converted first, assigned together at the end).
 */
export class PendingAssignments {
  private readonly items: [Variable, Tensor][] = [];

  add(variable: Variable, value: Tensor): void {
    this.items.push([variable, value]);
  }

  /** Takes over the assignments of `other` (which is left empty). */
  absorb(other: PendingAssignments): void {
    this.items.push(...other.items);
    other.items.length = 0;
  }

  /** Writes every value into its variable and frees the staging tensors. */
  commit(): void {
    try {
      for (const [v, t] of this.items) v.assign(t);
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    for (const [, t] of this.items) t.dispose();
    this.items.length = 0;
  }
}
