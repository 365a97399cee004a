import { toSnakeCase } from '@strata/core';

const uids = new Map<string, number>();

/**
 * Keras' automatic names: the first `Dense` is `dense`, the next `dense_1`, and so on, counted per
 * prefix for the whole session (until `clearSession()`).
 */
export function uniqueName(prefix: string): string {
  const n = uids.get(prefix) ?? 0;
  uids.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Snake-case name of a class, as Keras derives default layer names (`Conv2D` -> `conv2d`). */
export function defaultNameOf(className: string): string {
  return toSnakeCase(className);
}

/** `keras.backend.clear_session()`: restarts automatic names. */
export function clearSession(): void {
  uids.clear();
}
