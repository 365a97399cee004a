import { type Tensor, ValueError, formatShape, isTensor, ops, tensor, tidy } from '@strata/core';
import { checkSameStructure, describeStructure, disposeElement, flattenLeaves, isDict, leavesLike, unflattenLike } from './structure';

/** Per-component target shape for `paddedBatch`: a dimension of -1 or null pads to the batch's longest. */
export type PaddedShape = (number | null)[];

/**
 * Batches elements of different shapes (tf.data's `padded_batch`): each component is padded at the
 * end of every dimension to its padded shape (a given size, or the largest in the batch where the
 * size is -1/null or no shape is given), with its padding value (0 unless given), then stacked.
 * Disposes the input elements.
 */
export function paddedBatchElements(elements: unknown[], paddedShapes: unknown, paddingValues: unknown, op: string): unknown {
  try {
    checkSameStructure(elements, op);
    const paths = flattenLeaves(elements[0]).map((l) => l.path);
    const flat = elements.map((e) => leavesLike(elements[0], e));
    const shapes = paddedShapes == null ? null : componentsLike(elements[0], paddedShapes, op, 'paddedShapes', isShape);
    const values = paddingValues == null ? null : componentsLike(elements[0], paddingValues, op, 'paddingValues', isScalarValue);
    const made: Tensor[] = [];
    try {
      const out = paths.map((path, j) => {
        const leaves = flat.map((f) => f[j]);
        const t = padAndStack(leaves, (shapes?.[j] as PaddedShape | undefined) ?? null, (values?.[j] as number | boolean | undefined) ?? null, op, path);
        made.push(t);
        return t;
      });
      return unflattenLike(elements[0], out);
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  } finally {
    for (const e of elements) disposeElement(e);
  }
}

function isShape(x: unknown): boolean {
  return Array.isArray(x) && x.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= -1));
}

function isScalarValue(x: unknown): boolean {
  return typeof x === 'number' || typeof x === 'boolean';
}

/**
 * The option's value for each component of `like`, in leaf order: a structure like the element
 * whose leaves pass `isLeaf` (null/undefined leaves: the default). A single padding value applies
 * to every component; a single shape only fits an element that is one component.
 */
function componentsLike(like: unknown, option: unknown, op: string, arg: string, isLeaf: (x: unknown) => boolean): unknown[] {
  const single = !Array.isArray(like) && !isDict(like);
  if (single || (arg === 'paddingValues' && isLeaf(option))) {
    if (!isLeaf(option)) {
      throw new ValueError(`${op}: \`${arg}\` must be ${arg === 'paddedShapes' ? 'a shape (array of sizes, -1 or null to pad to the longest)' : 'a number or a boolean'} for this element; got ${JSON.stringify(option)}.`);
    }
    return flattenLeaves(like).map(() => option);
  }
  return walkLike(like, option, op, arg, isLeaf, []);
}

function walkLike(like: unknown, option: unknown, op: string, arg: string, isLeaf: (x: unknown) => boolean, out: unknown[], path = ''): unknown[] {
  const fail = () => {
    throw new ValueError(`${op}: \`${arg}\` must match the element structure ${describeStructure(like)}; at ${path || '(element)'} got ${JSON.stringify(option)}.`);
  };
  if (Array.isArray(like)) {
    if (!Array.isArray(option) || option.length !== like.length) fail();
    for (let i = 0; i < like.length; i++) walkLike(like[i], (option as unknown[])[i], op, arg, isLeaf, out, `${path}[${i}]`);
  } else if (isDict(like)) {
    if (!isDict(option)) fail();
    for (const k of Object.keys(like)) walkLike(like[k], (option as Record<string, unknown>)[k], op, arg, isLeaf, out, path === '' ? k : `${path}.${k}`);
  } else {
    if (option === undefined || option === null) out.push(null);
    else if (!isLeaf(option)) fail();
    else out.push(option);
  }
  return out;
}

function padAndStack(leaves: unknown[], padded: PaddedShape | null, value: number | boolean | null, op: string, path: string): Tensor {
  const where = path || '(element)';
  const ts = leaves.map((l, i) => {
    if (isTensor(l)) return l;
    if (typeof l === 'number' || typeof l === 'boolean') return null;
    throw new ValueError(`${op}: component ${where} of element ${i} must be a tensor, a number or a boolean; got ${describeStructure(l)}.`);
  });
  if (ts.every((t) => t == null)) {
    if (padded != null && padded.length !== 0) {
      throw new ValueError(`${op}: component ${where} is a scalar but its padded shape is ${formatShape(padded as number[])}.`);
    }
    const ints = leaves.every((v) => typeof v === 'number' && Number.isInteger(v));
    const dtype = typeof leaves[0] === 'boolean' ? 'bool' : ints ? 'int32' : 'float32';
    return tensor(leaves as number[], [leaves.length], dtype);
  }
  if (ts.some((t) => t == null)) throw new ValueError(`${op}: component ${where} mixes tensors and plain values across elements.`);
  const tensors = ts as Tensor[];
  const rank = tensors[0]!.rank;
  const dtype = tensors[0]!.dtype;
  tensors.forEach((t, i) => {
    if (t.rank !== rank) {
      throw new ValueError(`${op}: component ${where} has rank ${rank} in element 0 but rank ${t.rank} in element ${i} (shape ${formatShape(t.shape)}).`);
    }
    if (t.dtype !== dtype) throw new ValueError(`${op}: component ${where} has dtype ${dtype} in element 0 but ${t.dtype} in element ${i}.`);
  });
  if (padded != null && padded.length !== rank) {
    throw new ValueError(`${op}: the padded shape ${formatShape(padded as number[])} of component ${where} has rank ${padded.length}, but the component has rank ${rank}.`);
  }
  const target = Array.from({ length: rank }, (_, d) => {
    const longest = Math.max(...tensors.map((t) => t.shape[d]!));
    const want = padded?.[d];
    if (want == null || want === -1) return longest;
    if (longest > want) {
      const i = tensors.findIndex((t) => t.shape[d]! > want);
      throw new ValueError(
        `${op}: component ${where} of element ${i} has shape ${formatShape(tensors[i]!.shape)}, larger than its padded shape ${formatShape(padded as number[])} in dimension ${d}.`,
      );
    }
    return want;
  });
  if (dtype === 'string') throw new ValueError(`${op}: padding string components is not supported (component ${where}).`);
  const fill = value == null ? 0 : Number(value);
  return tidy(() =>
    ops.stack(
      tensors.map((t) => (t.shape.every((d, k) => d === target[k]) ? t : ops.pad(t, target.map((n, k) => [0, n - t.shape[k]!] as [number, number]), 'constant', fill))),
      0,
    ),
  );
}
