import { type Tensor, ValueError, tensor } from '@strata/core';

/** A timestep is a number (or a string with `dtype: 'string'`), or a nested array of a fixed shape. */
export type SequenceStep = number | string | readonly SequenceStep[];

export interface PadSequencesOptions {
  /** Length of every output sequence; defaults to the longest sequence. */
  maxlen?: number | null;
  /** 'int32' (Keras' default), 'float32' or 'string'. */
  dtype?: 'int32' | 'float32' | 'string';
  /** Where to pad short sequences: 'pre' (default) or 'post'. */
  padding?: 'pre' | 'post';
  /** Where to cut long sequences: 'pre' (default, keeps the end) or 'post' (keeps the start). */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0); a string needs `dtype: 'string'`. */
  value?: number | string;
}

function shapeOf(x: SequenceStep): number[] {
  const shape: number[] = [];
  let cur: SequenceStep = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly SequenceStep[])[0] as SequenceStep;
    if (cur === undefined) break;
  }
  return shape;
}

function flattenInto(x: SequenceStep, out: (number | string)[]): void {
  if (Array.isArray(x)) for (const v of x as readonly SequenceStep[]) flattenInto(v, out);
  else out.push(x as number | string);
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * `keras.utils.pad_sequences`: pads (or truncates) a list of sequences to one length and returns them
 * as ONE tensor of shape `[numSamples, maxlen, ...stepShape]` (Keras returns a NumPy array).
 * Integer output truncates float values toward zero, as NumPy's cast does.
 */
export function padSequences(sequences: readonly (readonly SequenceStep[])[], options: PadSequencesOptions = {}): Tensor {
  const { dtype = 'int32', padding = 'pre', truncating = 'pre', value = 0 } = options;
  if (!Array.isArray(sequences)) {
    throw new ValueError(`padSequences: \`sequences\` must be an array of sequences. Received: ${String(sequences)}`);
  }
  if (dtype !== 'int32' && dtype !== 'float32' && dtype !== 'string') {
    throw new ValueError(`padSequences: \`dtype\` must be 'int32', 'float32' or 'string'. Received: dtype=${String(dtype)}`);
  }
  if (padding !== 'pre' && padding !== 'post') {
    throw new ValueError(`padSequences: Padding type "${String(padding)}" not understood (expected 'pre' or 'post').`);
  }
  if (truncating !== 'pre' && truncating !== 'post') {
    throw new ValueError(`padSequences: Truncating type "${String(truncating)}" not understood (expected 'pre' or 'post').`);
  }
  if (typeof value === 'string' && dtype !== 'string') {
    throw new ValueError(
      `padSequences: \`dtype\` ${dtype} is not compatible with \`value\`'s type: string. Set \`dtype: 'string'\` to pad with strings.`,
    );
  }
  // The shape of one step comes from the first non-empty sequence; every other one must match it.
  let stepShape: number[] = [];
  let found = false;
  const lengths = sequences.map((s, i) => {
    if (!Array.isArray(s)) {
      throw new ValueError(`padSequences: \`sequences\` must be a list of iterables. Found non-iterable at position ${i}: ${String(s)}`);
    }
    if (!found && s.length > 0) {
      stepShape = shapeOf(s[0] as SequenceStep);
      found = true;
    }
    return s.length;
  });
  let maxlen = options.maxlen ?? (lengths.length ? Math.max(...lengths) : 0);
  if (!Number.isInteger(maxlen) || maxlen < 0) {
    throw new ValueError(`padSequences: \`maxlen\` must be a non-negative integer. Received: maxlen=${options.maxlen}`);
  }
  maxlen = Number(maxlen);
  const stepSize = stepShape.reduce((a, b) => a * b, 1);
  const n = sequences.length;
  const cast = (v: number | string): number | string => {
    if (dtype === 'string') return String(v);
    if (typeof v !== 'number') throw new ValueError(`padSequences: found the string "${v}" with dtype=${dtype}.`);
    return dtype === 'int32' ? Math.trunc(v) : v;
  };
  const fill = cast(value);
  const flat: (number | string)[] = new Array(n * maxlen * stepSize).fill(fill);
  sequences.forEach((s, idx) => {
    if (s.length === 0 || maxlen === 0) return;
    const kept = s.length <= maxlen ? s : truncating === 'pre' ? s.slice(s.length - maxlen) : s.slice(0, maxlen);
    const offset = padding === 'post' ? 0 : maxlen - kept.length;
    kept.forEach((step: SequenceStep, t: number) => {
      const shape = shapeOf(step);
      if (!sameShape(shape, stepShape)) {
        throw new ValueError(
          `padSequences: Shape of sample (${shape.join(', ')}) of sequence at position ${idx} is different from expected shape (${stepShape.join(', ')}).`,
        );
      }
      const values: (number | string)[] = [];
      flattenInto(step, values);
      const base = (idx * maxlen + offset + t) * stepSize;
      for (let k = 0; k < stepSize; k++) flat[base + k] = cast(values[k]!);
    });
  });
  const shape = [n, maxlen, ...stepShape];
  if (dtype === 'string') return tensor(flat as never, shape, 'string');
  return dtype === 'int32' ? tensor(Int32Array.from(flat as number[]), shape, 'int32') : tensor(Float32Array.from(flat as number[]), shape, 'float32');
}
