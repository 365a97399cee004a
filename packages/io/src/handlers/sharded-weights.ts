import { ValueError } from '@strata/core';
import { FormatError, IoError } from '../errors';
import { type H5Array, type H5Group, readH5, writeH5 } from '../h5/h5-file';
import { type StoredFile, basename, dirname, joinPath } from './types';

/**
 * Keras 3 sharded weights (`model.save_weights('w.weights.json', max_shard_size=GB)`,
 * saving_lib's `ShardedH5IOStore`): an index `<base>.weights.json`
 * `{"metadata": {"total_size": bytes}, "weight_map": {"/layers/dense/vars": "<base>_00000.weights.h5", ...}}`
 * (json.dumps indent 4) plus shards `<base>_{i:05d}.weights.h5`, each with the usual
 * `.weights.h5` layout for the `vars` groups it holds.
 */

interface VarsGroup {
  /** Absolute HDF5 path, e.g. `/layers/dense/vars`. */
  path: string;
  /** The group's `name` attribute (the object's name), if any. */
  name: string | null;
  /** Datasets by key (`"0"`, `"1"`, ...), in index order. */
  datasets: [string, H5Array][];
  bytes: number;
}

const GIB = 1024 ** 3;

function numericOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isInteger(na) && Number.isInteger(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

/** Every group of the file that holds datasets or a `name` attribute, depth first. */
function collectGroups(g: H5Group, out: VarsGroup[]): void {
  const datasets: [string, H5Array][] = [];
  const children: string[] = [];
  for (const key of g.keys()) {
    const kind = g.kind(key);
    if (kind === 'dataset') datasets.push([key, g.readDataset(key)!]);
    else if (kind === 'group') children.push(key);
  }
  datasets.sort((a, b) => numericOrder(a[0], b[0]));
  const name = g.attrNames().includes('name') ? g.stringAttr('name') : null;
  if (datasets.length > 0 || name != null) {
    const bytes = datasets.reduce((n, [, a]) => n + a.data.byteLength, 0);
    out.push({ path: g.path, name, datasets, bytes });
  }
  for (const c of children) collectGroups(g.requireGroup(c), out);
}

function writeGroup(root: H5Group, group: VarsGroup): void {
  const g = group.path === '/' ? root : root.createGroup(group.path.slice(1));
  if (group.name != null) g.setStringAttr('name', group.name);
  for (const [key, arr] of group.datasets) g.writeDataset(key, arr.data, arr.shape, arr.dtype);
}

/** `<base>` of `<base>.weights.json` (Keras: the stem with `.weights` removed). */
function shardBase(indexPath: string): string {
  const name = basename(indexPath);
  const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
  return stem.replace('.weights', '');
}

/**
 * Splits the bytes of a `.weights.h5` file into Keras' sharded layout. Each `vars` group stays
 * whole in one shard (so the single-file `weight_map` entries Keras' loader expects are exact);
 * a new shard starts when the next group would push the current one past `maxShardSizeGb`.
 * As Keras, a single variable larger than the limit is an error.
 */
export async function shardKerasWeights(weightsH5: Uint8Array, indexPath: string, maxShardSizeGb: number): Promise<StoredFile[]> {
  if (!(typeof maxShardSizeGb === 'number' && maxShardSizeGb > 0 && Number.isFinite(maxShardSizeGb))) {
    throw new ValueError(`saveWeights: \`maxShardSize\` must be a positive number of GB. Received: maxShardSize=${maxShardSizeGb}`);
  }
  const groups = await readH5(weightsH5, indexPath, (root) => {
    const out: VarsGroup[] = [];
    collectGroups(root, out);
    return out;
  });
  const limit = maxShardSizeGb * GIB;
  for (const g of groups) {
    for (const [key, arr] of g.datasets) {
      if (arr.data.byteLength > limit) {
        throw new ValueError(
          `The size of ${g.path}/${key} is ${arr.data.byteLength} bytes which exceeds the maximum shard size ${limit} bytes. You can increase the \`maxShardSize\` parameter to accommodate the size.`,
        );
      }
    }
  }
  const shards: VarsGroup[][] = [[]];
  let current = 0;
  for (const g of groups) {
    if (g.bytes > 0 && current > 0 && current + g.bytes > limit) {
      shards.push([]);
      current = 0;
    }
    shards[shards.length - 1]!.push(g);
    current += g.bytes;
  }
  const base = shardBase(indexPath);
  const dir = dirname(indexPath);
  const weightMap: Record<string, string> = {};
  const files: StoredFile[] = [];
  let total = 0;
  for (let i = 0; i < shards.length; i++) {
    const shardName = `${base}_${String(i).padStart(5, '0')}.weights.h5`;
    const data = await writeH5((root) => {
      for (const g of shards[i]!) writeGroup(root, g);
    }, shardName);
    for (const g of shards[i]!) {
      if (g.datasets.length > 0) weightMap[g.path] = shardName;
      total += g.bytes;
    }
    files.push({ path: joinPath(dir, shardName), data });
  }
  // json.dumps(indent=4); total_size is a Python float there.
  const json = JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 4).replace(
    /"total_size": (\d+)\n/,
    '"total_size": $1.0\n',
  );
  return [{ path: indexPath, data: new TextEncoder().encode(json) }, ...files];
}

/** The shard file names of a sharded-weights index, in first-use order. */
export function shardNames(index: unknown, file: string): string[] {
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (map == null || typeof map !== 'object' || Array.isArray(map)) throw new FormatError(file, 'not a sharded weights index: no "weight_map" object');
  const names: string[] = [];
  for (const [group, value] of Object.entries(map as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (typeof v !== 'string' || v === '' || v.includes('/') || v.includes('\\')) {
        throw new FormatError(file, `weight_map["${group}"] must name shard files in the same directory, got ${JSON.stringify(v)}`);
      }
      if (!names.includes(v)) names.push(v);
    }
  }
  return names;
}

function copyInto(src: H5Group, dst: H5Group): void {
  if (src.attrNames().includes('name') && !dst.attrNames().includes('name')) {
    const name = src.stringAttr('name');
    if (name != null) dst.setStringAttr('name', name);
  }
  for (const key of src.keys()) {
    const kind = src.kind(key);
    if (kind === 'group') {
      copyInto(src.requireGroup(key), dst.kind(key) === 'group' ? dst.requireGroup(key) : dst.createGroup(key));
    } else if (kind === 'dataset' && dst.kind(key) == null) {
      const arr = src.readDataset(key)!;
      dst.writeDataset(key, arr.data, arr.shape, arr.dtype);
    }
  }
}

/**
 * Joins the shards of a sharded-weights index back into one `.weights.h5` file (bytes), so the
 * usual reader can check and assign everything at once.
 */
export async function mergeShardedWeights(
  index: unknown,
  readShard: (name: string) => Promise<Uint8Array>,
  file: string,
): Promise<Uint8Array> {
  const names = shardNames(index, file);
  if (names.length === 0) throw new FormatError(file, 'the weight_map lists no shard files');
  const shards: [string, Uint8Array][] = [];
  for (const name of names) shards.push([name, await readShard(name)]);
  return writeH5(async (root) => {
    for (const [name, bytes] of shards) {
      await readH5(bytes, name, (src) => copyInto(src, root)).catch((e: unknown) => {
        if (e instanceof IoError) throw e;
        throw new FormatError(name, `cannot merge this shard: ${(e as Error)?.message ?? e}`, { cause: e });
      });
    }
  }, file);
}
