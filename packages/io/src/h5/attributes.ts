import { ValueError } from '@strata/core';
import { HDF5_OBJECT_HEADER_LIMIT, type H5Group, type H5StringOptions } from './h5-file';

/**
 * Reads a list-of-strings attribute that Keras may have split into `name0`, `name1`, ...
 * (`load_attributes_from_hdf5_group` in keras/src/legacy/saving/legacy_h5_format.py). Returns
 * null when neither `name` nor `name0` exists.
 */
export function readChunkedStringList(group: H5Group, name: string): string[] | null {
  const whole = group.stringListAttr(name);
  if (whole != null) return whole;
  const out: string[] = [];
  let found = false;
  for (let chunk = 0; ; chunk++) {
    const part = group.stringListAttr(`${name}${chunk}`);
    if (part == null) break;
    found = true;
    out.push(...part);
  }
  return found ? out : null;
}

/**
 * Writes a list-of-strings attribute as Keras' `save_attributes_to_hdf5_group` does: as one
 * attribute when its numpy array (`<U<maxlen>`, 4 bytes per character) fits in the 64512-byte
 * object-header limit, else split with `np.array_split` into the fewest chunks that each fit,
 * stored as `name0`, `name1`, ...
 */
export function writeChunkedStringList(group: H5Group, name: string, values: readonly string[], opts: H5StringOptions = {}): void {
  const tooLong = values.filter((v) => v.length > HDF5_OBJECT_HEADER_LIMIT);
  if (tooLong.length > 0) {
    throw new ValueError(
      `The following attributes cannot be saved to HDF5 file because they are larger than ${HDF5_OBJECT_HEADER_LIMIT} bytes: ${tooLong.join(', ')}`,
    );
  }
  let chunks = 1;
  let parts = arraySplit(values, chunks);
  while (parts.some((p) => numpyUnicodeBytes(p) > HDF5_OBJECT_HEADER_LIMIT)) {
    chunks++;
    parts = arraySplit(values, chunks);
  }
  if (chunks > 1) {
    parts.forEach((p, i) => {
      group.setStringListAttr(`${name}${i}`, p, opts);
    });
  } else {
    group.setStringListAttr(name, values, opts);
  }
}

/** `np.asarray(list_of_str).nbytes`: length x longest string x 4 (UCS-4). */
function numpyUnicodeBytes(values: readonly string[]): number {
  const longest = values.reduce((m, v) => Math.max(m, [...v].length), 0);
  return values.length * Math.max(longest, 1) * 4;
}

/** `np.array_split(values, n)`: the first `len % n` parts get one extra element. */
export function arraySplit<T>(values: readonly T[], n: number): T[][] {
  const base = Math.floor(values.length / n);
  const extra = values.length % n;
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push(values.slice(start, start + size));
    start += size;
  }
  return out;
}
