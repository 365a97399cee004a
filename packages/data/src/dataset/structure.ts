import { type Tensor, ValueError, formatShape, isTensor, ops, tensor, tidy } from '@strata/core';

/**
 * Helpers over dataset elements. An element is a nested structure like tf.data's: a leaf (a
 * `Tensor`, a number, a boolean or a string), an array (a tuple of components) or a plain object
 * (a dict of components), nested to any depth.
 */

/** A plain object used as a dict of components (not a tensor, an array or a typed array). */
export function isDict(x: unknown): x is Record<string, unknown> {
  if (x == null || typeof x !== 'object') return false;
  if (isTensor(x) || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Every tensor inside an element, depth first (a tensor listed once per occurrence). */
export function tensorsOf(x: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(x)) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tensorsOf(v, out);
  else if (isDict(x)) for (const v of Object.values(x)) tensorsOf(v, out);
  return out;
}

/** Disposes the tensors of `x` that are not in `keep` (each once; already disposed ones skipped). */
export function disposeElement(x: unknown, keep?: ReadonlySet<Tensor>): void {
  for (const t of new Set(tensorsOf(x))) if (!t.isDisposed && !keep?.has(t)) t.dispose();
}

/**
 * Disposes what the transform owned of `input` once it produced `output`: the tensors of the input
 * that the output does not hand on.
 */
export function disposeUnlessReturned(input: unknown, output: unknown): void {
  disposeElement(input, new Set(tensorsOf(output)));
}

/** A copy of the element whose tensors are new handles (`clone`: shares the data, owned apart). */
export function cloneElement<T>(x: T): T {
  return mapLeaves(x, (leaf) => (isTensor(leaf) ? ops.identity(leaf) : leaf)) as T;
}

/** Applies `fn` to every leaf, keeping the arrays and dicts around them. */
export function mapLeaves(x: unknown, fn: (leaf: unknown, path: string) => unknown, path = ''): unknown {
  if (Array.isArray(x)) return x.map((v, i) => mapLeaves(v, fn, `${path}[${i}]`));
  if (isDict(x)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = mapLeaves(v, fn, path === '' ? k : `${path}.${k}`);
    return out;
  }
  return fn(x, path);
}

/** Leaves of one structure in order, with the path naming each. */
export function flattenLeaves(x: unknown, path = '', out: { path: string; leaf: unknown }[] = []): { path: string; leaf: unknown }[] {
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) flattenLeaves(x[i], `${path}[${i}]`, out);
  }
  else if (isDict(x)) for (const [k, v] of Object.entries(x)) flattenLeaves(v, path === '' ? k : `${path}.${k}`, out);
  else out.push({ path, leaf: x });
  return out;
}

/**
 * The leaves of `x` in the order of `like`'s leaves (`x` has `like`'s structure; dict keys may
 * come in another order).
 */
export function leavesLike(like: unknown, x: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (l: unknown, v: unknown) => {
    if (Array.isArray(l)) for (let i = 0; i < l.length; i++) walk(l[i], (v as unknown[])[i]);
    else if (isDict(l)) for (const k of Object.keys(l)) walk(l[k], (v as Record<string, unknown>)[k]);
    else out.push(v);
  };
  walk(like, x);
  return out;
}

/** Rebuilds a structure shaped like `like` from its leaves in order. */
export function unflattenLike(like: unknown, leaves: unknown[]): unknown {
  let k = 0;
  return mapLeaves(like, () => leaves[k++]);
}

/** Describes the structure of an element for error messages (`[tensor[3], {a: number}]`). */
export function describeStructure(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(describeStructure).join(', ')}]`;
  if (isDict(x)) return `{${Object.entries(x).map(([k, v]) => `${k}: ${describeStructure(v)}`).join(', ')}}`;
  if (isTensor(x)) return `tensor${formatShape(x.shape)}`;
  return x === null ? 'null' : typeof x;
}

/** Throws unless every element has the structure of the first (same tuple lengths and dict keys). */
export function checkSameStructure(elements: unknown[], op: string): void {
  const ref = structureKey(elements[0]);
  for (let i = 1; i < elements.length; i++) {
    if (structureKey(elements[i]) !== ref) {
      throw new ValueError(
        `${op}: all elements must have the same structure; element 0 is ${describeStructure(elements[0])} but element ${i} is ${describeStructure(elements[i])}.`,
      );
    }
  }
}

function structureKey(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(structureKey).join(',')}]`;
  if (isDict(x)) return `{${Object.keys(x).sort().map((k) => `${k}:${structureKey(x[k])}`).join(',')}}`;
  return '.';
}

/**
 * Stacks the leaves found at the same place in each element into one tensor with a new leading
 * axis (tf.data's `batch`). Numbers become int32 when all are integers, float32 otherwise. The
 * input tensors are not disposed here.
 */
export function stackLeaves(leaves: unknown[], op: string, path: string): Tensor {
  const first = leaves[0];
  if (isTensor(first)) {
    const shape = first.shape;
    leaves.forEach((l, i) => {
      if (!isTensor(l)) {
        throw new ValueError(`${op}: component ${path || '(element)'} is a tensor in element 0 but ${describeStructure(l)} in element ${i}.`);
      }
      if (l.shape.length !== shape.length || l.shape.some((d, j) => d !== shape[j])) {
        throw new ValueError(
          `${op}: cannot stack component ${path || '(element)'}: element 0 has shape ${formatShape(shape)} but element ${i} has shape ${formatShape(l.shape)}. Use paddedBatch for elements of different shapes.`,
        );
      }
      if (l.dtype !== first.dtype) {
        throw new ValueError(`${op}: component ${path || '(element)'} has dtype ${first.dtype} in element 0 but ${l.dtype} in element ${i}.`);
      }
    });
    return tidy(() => ops.stack(leaves as Tensor[], 0));
  }
  if (typeof first === 'number' || typeof first === 'boolean' || typeof first === 'string') {
    leaves.forEach((l, i) => {
      if (typeof l !== typeof first) {
        throw new ValueError(`${op}: component ${path || '(element)'} is a ${typeof first} in element 0 but ${describeStructure(l)} in element ${i}.`);
      }
    });
    if (typeof first === 'boolean') return tensor(leaves as boolean[], [leaves.length], 'bool');
    if (typeof first === 'string') return tensor(leaves as unknown as never, [leaves.length], 'string');
    const ints = (leaves as number[]).every((v) => Number.isInteger(v));
    return tensor(leaves as number[], [leaves.length], ints ? 'int32' : 'float32');
  }
  throw new ValueError(`${op}: component ${path || '(element)'} must be a tensor, a number, a boolean or a string; got ${describeStructure(first)}.`);
}

/**
 * Batches elements of one structure: each leaf position is stacked; arrays and dicts keep their
 * shape. Disposes the input elements' tensors (also when stacking fails).
 */
export function batchElements(elements: unknown[], op: string): unknown {
  try {
    checkSameStructure(elements, op);
    const paths = flattenLeaves(elements[0]).map((l) => l.path);
    const flat = elements.map((e) => leavesLike(elements[0], e));
    const made: Tensor[] = [];
    try {
      const stacked = paths.map((path, j) => {
        const t = stackLeaves(
          flat.map((f) => f[j]),
          op,
          path,
        );
        made.push(t);
        return t;
      });
      return unflattenLike(elements[0], stacked);
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  } finally {
    for (const e of elements) disposeElement(e);
  }
}

/**
 * Splits a batched element along axis 0 into its rows (tf.data's `unbatch`). Every component must
 * have the same leading size. Does not dispose `x`.
 */
export function unbatchElement(x: unknown, op: string): unknown[] {
  const flat = flattenLeaves(x);
  let n: number | null = null;
  for (const { path, leaf } of flat) {
    if (!isTensor(leaf) || leaf.rank === 0) {
      throw new ValueError(`${op}: every component must be a tensor of rank >= 1 to unbatch; component ${path || '(element)'} is ${describeStructure(leaf)}.`);
    }
    const size = leaf.shape[0]!;
    if (n != null && size !== n) {
      throw new ValueError(`${op}: all components must have the same batch size; got ${n} and ${size} (component ${path || '(element)'}).`);
    }
    n = size;
  }
  if (n == null) return [];
  const columns = flat.map(({ leaf }) => ops.unstack(leaf as Tensor, 0));
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) rows.push(unflattenLike(x, columns.map((c) => c[i])));
  return rows;
}
