import { type DataType, type Tensor, ValueError, isTensor, ops, tensor, tidy } from '@strata/core';
import { isDict } from './structure';

/**
 * What `Dataset.fromTensorSlices` accepts: a tensor, a typed array, a (rectangular) nested array
 * of numbers or booleans, or an array (tuple) or dict of these, nested to any depth.
 */
export type Sliceable = Tensor | Float32Array | Int32Array | Uint8Array | NestedValues | readonly Sliceable[] | { readonly [key: string]: Sliceable };

/** A nested JS array of numbers or booleans (one component). */
export type NestedValues = readonly (number | boolean | NestedValues)[];

/**
 * The element type of `Dataset.fromTensorSlices(x)`: each component becomes a tensor, tuples and
 * dicts keep their shape. (A ragged nested array of numbers is a tuple at run time, typed here as
 * one tensor: pass tensors to be explicit.)
 */
export type SliceElement<S> = S extends Tensor | ArrayBufferView | NestedValues ? Tensor : { -readonly [K in keyof S]: SliceElement<S[K]> };

/** One component to slice: rows `0..n-1` along axis 0, each made into a tensor on demand. */
interface Component {
  n: number;
  row(i: number): Tensor;
}

/** The element built from row `i` of every component (the caller owns its tensors). */
export interface SlicePlan {
  n: number;
  element(i: number): unknown;
}

/**
 * Plans slicing `x` along its first axis. A JS array whose leaves are all numbers (or all
 * booleans) and whose nesting is rectangular is one component (a tensor, as tf.data turns a Python
 * list into a tensor); any other array is a tuple of components. Every component needs the same
 * first dimension.
 */
export function planSlices(x: unknown, op: string): SlicePlan {
  const comps: { path: string; comp: Component }[] = [];
  const build = (v: unknown, path: string): unknown => {
    const leaf = asComponent(v, op, path);
    if (leaf != null) {
      comps.push({ path, comp: leaf });
      return comps.length - 1;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) throw new ValueError(`${op}: component ${path || '(input)'} is an empty tuple; nothing to slice.`);
      return { tuple: v.map((e, i) => build(e, `${path}[${i}]`)) };
    }
    if (isDict(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) throw new ValueError(`${op}: component ${path || '(input)'} is an empty dict; nothing to slice.`);
      return { dict: Object.fromEntries(keys.map((k) => [k, build(v[k], path === '' ? k : `${path}.${k}`)])) };
    }
    throw new ValueError(
      `${op}: component ${path || '(input)'} must be a tensor, a typed array, a nested array of numbers, or an array/dict of these; got ${v === null ? 'null' : typeof v}.`,
    );
  };
  const shape = build(x, '');
  const n = comps[0]!.comp.n;
  for (const { path, comp } of comps) {
    if (comp.n !== n) {
      throw new ValueError(
        `${op}: all components must have the same size along axis 0; component ${comps[0]!.path || '(input)'} has ${n} but component ${path || '(input)'} has ${comp.n}.`,
      );
    }
  }
  return {
    n,
    element: (i) => {
      const made: Tensor[] = [];
      const make = (s: unknown): unknown => {
        if (typeof s === 'number') {
          const t = comps[s]!.comp.row(i);
          made.push(t);
          return t;
        }
        const node = s as { tuple?: unknown[]; dict?: Record<string, unknown> };
        if (node.tuple != null) return node.tuple.map(make);
        return Object.fromEntries(Object.entries(node.dict!).map(([k, c]) => [k, make(c)]));
      };
      try {
        return make(shape);
      } catch (e) {
        for (const t of made) t.dispose();
        throw e;
      }
    },
  };
}

/** `v` as one component, or null when it is a tuple or dict of components. */
function asComponent(v: unknown, op: string, path: string): Component | null {
  const where = path || '(input)';
  if (isTensor(v)) {
    if (v.rank === 0) throw new ValueError(`${op}: component ${where} is a scalar tensor; slicing needs rank >= 1.`);
    const rest = v.shape.slice(1);
    return {
      n: v.shape[0]!,
      row: (i) => tidy(() => ops.reshape(ops.slice(v, [i, ...rest.map(() => 0)], [1, ...rest]), rest)),
    };
  }
  if (ArrayBuffer.isView(v)) {
    const dtype: DataType = v instanceof Float32Array || v instanceof Float64Array ? 'float32' : 'int32';
    const arr = v as unknown as ArrayLike<number>;
    return { n: arr.length, row: (i) => tensor(arr[i]!, [], dtype) };
  }
  if (Array.isArray(v)) {
    const shape = rectangularShape(v);
    if (shape == null) return null;
    if (shape.length === 1 && shape[0] === 0) throw new ValueError(`${op}: component ${where} is an empty array; nothing to slice.`);
    const rowShape = shape.slice(1);
    const dtype: DataType = typeof firstLeaf(v) === 'boolean' ? 'bool' : 'float32';
    return { n: shape[0]!, row: (i) => tensor(v[i] as never, rowShape, dtype) };
  }
  return null;
}

function firstLeaf(v: unknown): unknown {
  let x = v;
  while (Array.isArray(x)) x = x[0];
  return x;
}

/**
 * The shape of a nested array whose leaves are all numbers or all booleans and whose sub-arrays
 * at each depth have equal lengths; null for anything else (a tuple).
 */
export function rectangularShape(v: unknown[]): number[] | null {
  let kind: string | null = null;
  const walk = (x: unknown): number[] | null => {
    if (!Array.isArray(x)) {
      if (typeof x !== 'number' && typeof x !== 'boolean') return null;
      if (kind != null && kind !== typeof x) return null;
      kind = typeof x;
      return [];
    }
    if (x.length === 0) return [0];
    const first = walk(x[0]);
    if (first == null) return null;
    for (let i = 1; i < x.length; i++) {
      const s = walk(x[i]);
      if (s == null || s.length !== first.length || s.some((d, j) => d !== first[j])) return null;
    }
    return [x.length, ...first];
  };
  return walk(v);
}
