import { type Tensor, type TensorLike, ValueError, convertToTensor, formatShape, isTensor, ops, tensor, tidy } from '@strata/core';

/** What `fit`/`evaluate`/`predict` accept for x or y: one array-like, a list, or a dict by name. */
export type DataInput = TensorLike | TensorLike[] | Record<string, TensorLike>;

/**
 * Tensors of one data argument, plus the ones this call created (and must dispose): tensors the
 * user passed stay theirs.
 */
export interface TensorSet {
  tensors: Tensor[];
  owned: Tensor[];
}

function isArrayLikeOfData(x: unknown): x is TensorLike[] {
  // A list of inputs (each a tensor or a nested array) rather than one nested array of numbers.
  return Array.isArray(x) && x.length > 0 && (isTensor(x[0]) || ArrayBuffer.isView(x[0]) || (Array.isArray(x[0]) && x.every((e) => isTensor(e))));
}

/**
 * Normalises x/y to a tensor list in `names` order. A nested JS array is one tensor; a list whose
 * items are tensors is one tensor per model input/output; a dict is matched by name.
 */
export function toTensorSet(data: DataInput, names: string[], what: string): TensorSet {
  const owned: Tensor[] = [];
  const conv = (v: TensorLike): Tensor => {
    const t = convertToTensor(v);
    if (t !== v) owned.push(t);
    return t;
  };
  let tensors: Tensor[];
  if (isTensor(data) || ArrayBuffer.isView(data) || typeof data === 'number') {
    tensors = [conv(data as TensorLike)];
  } else if (Array.isArray(data)) {
    tensors = names.length > 1 && isArrayLikeOfData(data) ? data.map(conv) : [conv(data as TensorLike)];
  } else if (typeof data === 'object' && data != null) {
    const dict = data as Record<string, TensorLike>;
    const missing = names.filter((n) => !(n in dict));
    if (missing.length > 0) {
      throw new ValueError(`${what}: missing data for ${missing.join(', ')} (expected keys: ${names.join(', ')}; got: ${Object.keys(dict).join(', ')}).`);
    }
    tensors = names.map((n) => conv(dict[n]!));
  } else {
    throw new ValueError(`${what}: cannot use ${String(data)} as data.`);
  }
  if (tensors.length !== names.length) {
    for (const t of owned) t.dispose();
    throw new ValueError(`${what}: the model has ${names.length} ${what === 'x' ? 'input' : 'output'}(s) (${names.join(', ')}), but ${tensors.length} array(s) were given.`);
  }
  return { tensors, owned };
}

/** Checks every tensor has the same number of samples and returns it. */
export function sampleCount(sets: Tensor[][], labels: string[]): number {
  let n: number | null = null;
  let first = '';
  sets.forEach((set, k) => {
    set.forEach((t, i) => {
      if (t.rank === 0) throw new ValueError(`${labels[k]}[${i}] is a scalar; data needs a batch axis.`);
      const m = t.shape[0]!;
      if (n == null) {
        n = m;
        first = `${labels[k]}[${i}] ${formatShape(t.shape)}`;
      } else if (m !== n) {
        throw new ValueError(`Data cardinality is ambiguous: ${first} has ${n} samples but ${labels[k]}[${i}] ${formatShape(t.shape)} has ${m}.`);
      }
    });
  });
  return n ?? 0;
}

/** Rows `begin..end` of every tensor (new tensors). */
export function sliceRows(ts: Tensor[], begin: number, end: number): Tensor[] {
  return ts.map((t) => ops.slice(t, [begin, ...t.shape.slice(1).map(() => 0)], [end - begin, ...t.shape.slice(1).map(() => -1)]));
}

/** Rows at `indices` of every tensor (new tensors). */
export function takeRows(ts: Tensor[], indices: Int32Array): Tensor[] {
  return tidy(() => {
    const idx = tensor(indices, [indices.length], 'int32');
    return ts.map((t) => ops.take(t, idx, 0));
  });
}

/** Batch index ranges over `n` samples. */
export function batchRanges(n: number, batchSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < n; b += batchSize) out.push([b, Math.min(n, b + batchSize)]);
  return out;
}

/**
 * Keras' `class_weight`: a per-sample weight from each sample's class (argmax of one-hot targets,
 * else the (rounded) label itself).
 */
export function classWeightToSampleWeight(y: Tensor, classWeight: Record<number, number>): Tensor {
  return tidy(() => {
    const labels =
      y.rank >= 2 && y.shape[y.rank - 1]! > 1
        ? ops.argmax(y, -1)
        : ops.cast(ops.round(ops.reshape(y, [y.shape[0]!])), 'int32');
    const maxClass = Math.max(...Object.keys(classWeight).map(Number));
    const table = new Float32Array(maxClass + 1).fill(1);
    for (const [k, v] of Object.entries(classWeight)) table[Number(k)] = v;
    return ops.take(tensor(table), ops.reshape(labels, [-1]), 0);
  });
}

/**
 * Multiplies the sample weights by Keras' `class_weight` of each sample's class; new tensors go
 * to `owned`.
 */
export function applyClassWeight(
  ys: Tensor[],
  sw: Tensor | null,
  classWeight: Record<number, number> | undefined,
  owned: Tensor[],
): Tensor | null {
  if (classWeight == null) return sw;
  if (ys.length !== 1) throw new ValueError('classWeight is only supported for models with a single output.');
  const cw = classWeightToSampleWeight(ys[0]!, classWeight);
  owned.push(cw);
  if (sw == null) return cw;
  const combined = tidy(() => ops.multiply(ops.reshape(sw, [-1]), cw));
  owned.push(combined);
  return combined;
}
