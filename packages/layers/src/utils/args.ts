import { ValueError } from '@strata/core';

/**
 * Whether `x` is an options object (a plain `{...}`), as opposed to a positional argument value.
 * Serialized Keras objects (`{class_name, config}`) are values, not options.
 */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (x == null || typeof x !== 'object' || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  return !('class_name' in (x as object));
}

/**
 * Merges Keras-style positional arguments with a trailing options object (API rule 2):
 * `positional(['units'], [64, { activation: 'relu' }])` and `positional(['units'], [{ units: 64 }])`
 * both give `{ units: 64, activation: 'relu' }`. A positional value wins over the same key in the
 * options object only when it is given (not `undefined`).
 */
export function positional<T extends object>(names: readonly string[], args: readonly unknown[]): T {
  let values = [...args];
  while (values.length > 0 && values[values.length - 1] === undefined) values.pop();
  let options: Record<string, unknown> = {};
  const last = values[values.length - 1];
  if (values.length > 0 && isOptionsObject(last)) {
    options = last;
    values = values.slice(0, -1);
  }
  if (values.length > names.length) {
    throw new ValueError(`Expected at most ${names.length} positional argument(s) (${names.join(', ')}), got ${values.length}.`);
  }
  const out: Record<string, unknown> = { ...options };
  values.forEach((v, i) => {
    if (v !== undefined) out[names[i]!] = v;
  });
  return out as T;
}

/** Keras `standardize_tuple`: an int or a list of `n` ints, as a list of `n` ints. */
export function normalizeTuple(value: number | readonly number[], n: number, name: string, allowZero = false): number[] {
  const out = typeof value === 'number' ? new Array<number>(n).fill(value) : [...value];
  if (out.length !== n) {
    throw new ValueError(`The \`${name}\` argument must be a tuple of ${n} integers. Received: ${name}=${JSON.stringify(value)}`);
  }
  for (const v of out) {
    if (!Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
      throw new ValueError(
        `The \`${name}\` argument must be a tuple of ${n} ${allowZero ? 'non-negative' : 'positive'} integers. Received: ${name}=${JSON.stringify(value)}`,
      );
    }
  }
  return out;
}

export type Padding = 'valid' | 'same';
export type DataFormat = 'channels_last' | 'channels_first';

export function normalizePadding(value: string | undefined | null, allowed: readonly string[] = ['valid', 'same']): Padding {
  const p = (value ?? 'valid').toLowerCase();
  if (!allowed.includes(p)) {
    throw new ValueError(`The \`padding\` argument must be one of ${allowed.map((a) => `"${a}"`).join(', ')}. Received: padding=${value}`);
  }
  return p as Padding;
}

/** `keras.config.image_data_format()` is always channels_last here. */
export function normalizeDataFormat(value: string | undefined | null): DataFormat {
  const f = (value ?? 'channels_last').toLowerCase();
  if (f !== 'channels_last' && f !== 'channels_first') {
    throw new ValueError(`The \`data_format\` argument must be one of "channels_first", "channels_last". Received: data_format=${value}`);
  }
  return f;
}

/**
 * Output length of a convolution or pooling window along one axis (Keras
 * `compute_conv_output_shape` / pooling arithmetic). `null` in, `null` out.
 */
export function convOutputLength(
  length: number | null,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): number | null {
  if (length == null) return null;
  const effective = dilation * (kernel - 1) + 1;
  return padding === 'same' ? Math.floor((length - 1) / stride) + 1 : Math.floor((length - effective) / stride) + 1;
}
