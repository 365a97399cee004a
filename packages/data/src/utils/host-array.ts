import { type Tensor, ValueError, isTensor, tensor } from '@strata/core';

/** Numbers of one array kept on the host, row-major, with their shape and tensor dtype. */
export interface HostArray {
  values: Float32Array | Int32Array | string[];
  shape: number[];
  dtype: 'float32' | 'int32' | 'string';
}

/** What the utilities accept as an array: a tensor, a typed array (1-D) or a nested JS array. */
export type ArrayInput = Tensor | Float32Array | Int32Array | readonly unknown[];

function nestedShape(x: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

/**
 * Copies an array-like to the host (a tensor is read once with `dataSync`; it is not disposed).
 * Nested arrays must be rectangular; integers give int32, anything else float32, strings string.
 */
export function toHostArray(x: ArrayInput, who: string, arg: string): HostArray {
  if (isTensor(x)) {
    const t = x as Tensor;
    if (t.dtype === 'string') return { values: t.dataSync() as unknown as string[], shape: [...t.shape], dtype: 'string' };
    if (t.dtype === 'int32' || t.dtype === 'bool') return { values: Int32Array.from(t.dataSync() as Int32Array), shape: [...t.shape], dtype: 'int32' };
    return { values: Float32Array.from(t.dataSync() as Float32Array), shape: [...t.shape], dtype: 'float32' };
  }
  if (x instanceof Float32Array) return { values: x, shape: [x.length], dtype: 'float32' };
  if (x instanceof Int32Array) return { values: x, shape: [x.length], dtype: 'int32' };
  if (!Array.isArray(x)) {
    throw new ValueError(`${who}: \`${arg}\` must be a tensor, a typed array or a (nested) array. Received: ${String(x)}`);
  }
  const shape = nestedShape(x);
  const flat: unknown[] = [];
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ValueError(`${who}: \`${arg}\` is not rectangular: ${arg}${path} is an array where a value was expected (shape ${JSON.stringify(shape)}).`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ValueError(`${who}: \`${arg}\` is not rectangular: ${arg}${path} should be an array of length ${shape[dim]}.`);
    }
    v.forEach((w, i) => {
      walk(w, dim + 1, `${path}[${i}]`);
    });
  };
  walk(x, 0, '');
  if (flat.length > 0 && flat.every((v) => typeof v === 'string')) return { values: flat as string[], shape, dtype: 'string' };
  flat.forEach((v, i) => {
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ValueError(`${who}: \`${arg}\` must hold numbers; found ${typeof v} at flat index ${i}.`);
    }
  });
  const nums = flat.map(Number);
  const ints = nums.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31);
  return ints ? { values: Int32Array.from(nums), shape, dtype: 'int32' } : { values: Float32Array.from(nums), shape, dtype: 'float32' };
}

/** Number of elements in one row (everything after axis 0). */
export function rowSize(a: HostArray): number {
  return a.shape.slice(1).reduce((p, d) => p * d, 1);
}

/** A tensor of the rows `rows` of `a` (stacked on a new axis 0 unless `single`). */
export function gatherRows(a: HostArray, rows: readonly number[], single = false): Tensor {
  const size = rowSize(a);
  const shape = single ? a.shape.slice(1) : [rows.length, ...a.shape.slice(1)];
  if (a.dtype === 'string') {
    const out: string[] = [];
    for (const r of rows) for (let k = 0; k < size; k++) out.push((a.values as string[])[r * size + k]!);
    return tensor(out as never, shape, 'string');
  }
  const out = a.dtype === 'int32' ? new Int32Array(rows.length * size) : new Float32Array(rows.length * size);
  const src = a.values as Float32Array | Int32Array;
  rows.forEach((r, i) => {
    out.set(src.subarray(r * size, (r + 1) * size), i * size);
  });
  return tensor(out, shape, a.dtype);
}
