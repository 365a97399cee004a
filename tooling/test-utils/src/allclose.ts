import { type Tensor, isTensor } from '@strata/core';

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

type Values = Tensor | ArrayLike<number> | number[][] | number[][][] | number[][][][] | number;

function flat(x: Values): { data: number[]; shape: number[] | null } {
  if (isTensor(x)) return { data: Array.from(x.dataSync() as Float32Array), shape: x.shape };
  if (typeof x === 'number') return { data: [x], shape: [] };
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'number' || typeof v === 'boolean') out.push(Number(v));
    else for (const e of Array.from(v as ArrayLike<unknown>)) walk(e);
  };
  walk(x);
  return { data: out, shape: null };
}

/** Largest |a - b| over all elements. */
export function maxAbsDiff(actual: Values, expected: Values): number {
  const a = flat(actual).data;
  const b = flat(expected).data;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Throws unless |actual - expected| <= atol + rtol * |expected| everywhere (numpy.allclose) and
 * the sizes (and shapes, where both are known) agree.
 */
export function expectAllClose(actual: Values, expected: Values, tol: Tolerance & { shape?: number[] } = {}): void {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-4;
  const a = flat(actual);
  const b = flat(expected);
  const wantShape = tol.shape ?? b.shape;
  if (a.shape != null && wantShape != null && a.shape.join(',') !== wantShape.join(',')) {
    throw new Error(`shape mismatch: got [${a.shape}], expected [${wantShape}]`);
  }
  if (a.data.length !== b.data.length) {
    throw new Error(`size mismatch: got ${a.data.length} values, expected ${b.data.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (Number.isNaN(x) !== Number.isNaN(y) || excess > worstExcess) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `not close at index ${worst}: got ${a.data[worst]}, expected ${b.data[worst]} (atol ${atol}, rtol ${rtol}; max |diff| ${maxAbsDiff(a.data, b.data)})`,
    );
  }
}
