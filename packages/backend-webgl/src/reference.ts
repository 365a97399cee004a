// Plain-JS float64 references for the kernel tests (Node and browser): row-major pad and reverse.

/** Row-major strides of `shape`. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** `values` of `shape` padded with `paddings` filled by `value`. */
export function padReference(values: readonly number[], shape: readonly number[], paddings: readonly [number, number][], value: number) {
  const outShape = shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const size = outShape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(size).fill(value);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  for (let flat = 0; flat < values.length; flat++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(flat / inStrides[d]!) % shape[d]!;
      o += (c + paddings[d]![0]) * outStrides[d]!;
    }
    out[o] = values[flat]!;
  }
  return { values: out, shape: outShape };
}

/** `values` of `shape` reversed along `axes`. */
export function reverseReference(values: readonly number[], shape: readonly number[], axes: readonly number[]): number[] {
  const st = strides(shape);
  const out = new Array<number>(values.length);
  for (let flat = 0; flat < values.length; flat++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(flat / st[d]!) % shape[d]!;
      o += (axes.includes(d) ? shape[d]! - 1 - c : c) * st[d]!;
    }
    out[o] = values[flat]!;
  }
  return out;
}

/** Deterministic values in [-1, 1). */
export function ramp(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 23 - 1;
  });
}
