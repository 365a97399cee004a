import { type Dim, type Shape, type Tensor, ValueError, formatShape, ops, tidy } from '@strata/core';

export type EncodingMode = 'one_hot' | 'multi_hot' | 'count';
export type LookupOutputMode = 'int' | EncodingMode;

/** Checks an `output_mode` argument against `allowed`. */
export function checkOutputMode<T extends string>(layer: string, value: unknown, allowed: readonly T[], fallback: T): T {
  const mode = (value ?? fallback) as T;
  if (!allowed.includes(mode)) {
    throw new ValueError(`${layer}: unknown \`output_mode\` argument. Expected one of ${allowed.map((a) => `"${a}"`).join(', ')}. Received: output_mode=${String(value)}`);
  }
  return mode;
}

/**
 * keras `encode_categorical_inputs` for integer indices in [0, depth): 'one_hot' (a trailing axis of
 * size 1 is replaced), 'multi_hot' / 'count' (reduced over axis 1 of rank-2 inputs, axis 0 of rank 1).
 * `countWeights` (same shape as `x`) weights the counts.
 */
export function encodeCategorical(layer: string, x: Tensor, mode: EncodingMode, depth: number, countWeights?: Tensor | null): Tensor {
  return tidy(() => {
    let idx = x.rank === 0 ? ops.reshape(x, [1]) : x;
    if (mode === 'one_hot') {
      if (idx.rank > 1 && idx.shape[idx.rank - 1] === 1) idx = ops.reshape(idx, idx.shape.slice(0, -1));
      return ops.oneHot(idx, depth);
    }
    if (idx.rank > 2) {
      throw new ValueError(
        `${layer}: when output_mode is not 'int', maximum supported output rank is 2. Received output_mode ${mode} and input shape ${formatShape(x.shape)}, which would result in output rank ${x.rank}.`,
      );
    }
    const axis = idx.rank > 1 ? 1 : 0;
    let oh = ops.oneHot(idx, depth);
    if (mode === 'multi_hot') return ops.max(oh, axis);
    if (countWeights != null) oh = ops.multiply(oh, ops.expandDims(ops.reshape(ops.cast(countWeights, 'float32'), idx.shape), -1));
    return ops.sum(oh, axis);
  });
}

/** The output shape of `encodeCategorical` (or the input shape for 'int'). */
export function encodedShape(shape: Shape, mode: LookupOutputMode, depth: number): Shape {
  if (mode === 'int') return [...shape];
  if (shape.length === 0) return [depth];
  if (mode === 'one_hot') {
    const keep: Dim[] = shape.length > 1 && shape[shape.length - 1] === 1 ? shape.slice(0, -1) : [...shape];
    return [...keep, depth];
  }
  return [...shape.slice(0, -1), depth];
}

/** Throws unless every value of the integer tensor `x` lies in [0, depth). */
export function checkIndexRange(layer: string, x: Tensor, depth: number): void {
  const values = x.dataSync() as ArrayLike<number>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < depth) || !Number.isInteger(v)) {
      throw new ValueError(`${layer}: input values must be integers in the range 0 <= values < num_tokens with num_tokens=${depth}. Received value ${v} in inputs of shape ${formatShape(x.shape)}.`);
    }
  }
}
