import { type Category, type CustomObjects, type SerializedObject, type Tensor, ValueError, deserializeKerasObject, dispose, lookupClass, serializeKerasObject, tensor } from '@strata/core';
import type { Model } from '@strata/models';
import { FormatError, IoError } from '../errors';
import type { LoadOptions } from '../options';
import { fromKeras2Topology, toKeras2Topology } from './keras2-topology';
import { compileFromTrainingConfig } from './training-config';
import { type NamedWeight, namedWeights } from './weight-names';
import { type TfjsWeightSpec, byteLength, concatBytes, decodeWeight, encodeWeight, shard } from './weights-codec';

/** Version written into `generatedBy` and the topology's `keras_version`. */
const STRATA_VERSION = '0.1.0';
/** tfjs-converter's default shard size (`weight_shard_size_bytes`): 4 MiB. */
export const DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024;

/** A TF.js `model.json` (tfjs-core `ModelJSON`) of format `layers-model`. */
export interface TfjsModelJson {
  modelTopology: object;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  [key: string]: unknown;
}

export interface WriteTfjsOptions {
  /** Store float32 weights as float16, or as uint8 with a per-weight affine range (as tfjs-converter's `--quantize_*`). */
  quantization?: 'float16' | 'uint8' | null;
  /** Maximum bytes per weight shard file (default 4 MiB, tfjs-converter's default). */
  shardSizeBytes?: number;
}

export interface ReadTfjsOptions extends LoadOptions {
  /** Name of the `model.json` in error messages (default `'model.json'`). */
  filename?: string;
}

/**
 * Writes `model` in the TensorFlow.js layers-model format: `modelJson` is the content of
 * `model.json` (Keras 2 dialect topology, loadable by `tf.loadLayersModel`), `weightData` the
 * binary shards named in `modelJson.weightsManifest[0].paths` (`group1-shard{i}of{n}.bin`).
 */
export async function writeTfjsModel(model: Model, opts: WriteTfjsOptions = {}): Promise<{ modelJson: TfjsModelJson; weightData: Uint8Array[] }> {
  const shardSize = opts.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES;
  if (!Number.isInteger(shardSize) || shardSize <= 0) {
    throw new ValueError(`writeTfjsModel: \`shardSizeBytes\` must be a positive integer, got ${shardSize}.`);
  }
  const q = opts.quantization ?? null;
  if (q !== null && q !== 'float16' && q !== 'uint8') {
    throw new ValueError(`writeTfjsModel: \`quantization\` must be 'float16', 'uint8' or null, got ${JSON.stringify(q)}.`);
  }
  const modelTopology = toKeras2Topology(serializeKerasObject(model), `strata ${STRATA_VERSION}`);

  const named = namedWeights(model);
  const seen = new Map<string, NamedWeight>();
  for (const w of named) {
    const other = seen.get(w.name);
    if (other != null) {
      throw new ValueError(`writeTfjsModel: weights ${other.variable.path} and ${w.variable.path} would both be stored as "${w.name}"; TF.js loads weights by name, so layer names must be unique.`);
    }
    seen.set(w.name, w);
  }
  const specs: TfjsWeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const w of named) {
    const values = await w.variable.data();
    const { spec, bytes } = encodeWeight(w.name, w.variable.shape, w.variable.dtype, values, q);
    specs.push(spec);
    parts.push(bytes);
  }
  const weightData = shard(concatBytes(parts), shardSize);
  const paths = weightData.map((_, i) => `group1-shard${i + 1}of${weightData.length}.bin`);
  const modelJson: TfjsModelJson = {
    modelTopology,
    format: 'layers-model',
    generatedBy: `Strata v${STRATA_VERSION}`,
    convertedBy: null,
    weightsManifest: [{ paths, weights: specs }],
  };
  return { modelJson, weightData };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x != null && !Array.isArray(x);
}

/** Checks the manifest's shape and returns its groups. */
function readManifest(json: Record<string, unknown>, file: string): { paths: string[]; weights: TfjsWeightSpec[] }[] {
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(file, `"weightsManifest" must be a list of {paths, weights} groups, got ${typeof manifest}.`);
  return manifest.map((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new FormatError(file, `weightsManifest[${g}] must be an object with "paths" and "weights" lists.`);
    }
    for (const p of group.paths) if (typeof p !== 'string') throw new FormatError(file, `weightsManifest[${g}].paths has a non-string entry ${JSON.stringify(p)}.`);
    group.weights.forEach((w, i) => {
      const ok =
        isObject(w) &&
        typeof w.name === 'string' &&
        typeof w.dtype === 'string' &&
        Array.isArray(w.shape) &&
        w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0) &&
        (w.quantization == null || isObject(w.quantization));
      if (!ok) throw new FormatError(file, `weightsManifest[${g}].weights[${i}] must be {name: string, shape: int[], dtype: string, quantization?}, got ${JSON.stringify(w)}.`);
    });
    return group as unknown as { paths: string[]; weights: TfjsWeightSpec[] };
  });
}

/** Loads and decodes every weight of the groups; a short or long group buffer is an error naming its shard. */
async function readWeights(
  groups: { paths: string[]; weights: TfjsWeightSpec[] }[],
  loadShard: (path: string) => Promise<Uint8Array>,
  file: string,
  onProgress?: (fraction: number) => void,
): Promise<Map<string, { spec: TfjsWeightSpec; values: Float32Array | Int32Array }>> {
  const out = new Map<string, { spec: TfjsWeightSpec; values: Float32Array | Int32Array }>();
  const total = groups.reduce((n, g) => n + g.paths.length, 0);
  let done = 0;
  for (const group of groups) {
    const shards: Uint8Array[] = [];
    for (const path of group.paths) {
      let bytes: Uint8Array;
      try {
        bytes = await loadShard(path);
      } catch (e) {
        if (e instanceof IoError) throw e;
        throw new IoError(path, `could not load weight shard: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (!(bytes instanceof Uint8Array)) throw new FormatError(path, `loadShard must return a Uint8Array, got ${typeof bytes}.`);
      shards.push(bytes);
      done += 1;
      onProgress?.(done / (total + 1));
    }
    const data = concatBytes(shards);
    const lastShard = group.paths[group.paths.length - 1] ?? file;
    let at = 0;
    for (const spec of group.weights) {
      const n = byteLength(spec, file);
      if (at + n > data.length) {
        throw new FormatError(
          lastShard,
          `weight data is too short: "${spec.name}" needs bytes ${at}..${at + n} but the shards (${group.paths.join(', ') || 'none'}) hold ${data.length} bytes.`,
        );
      }
      if (spec.group === 'optimizer') {
        at += n; // optimizer state of tfjs' includeOptimizer; not model weights
        continue;
      }
      const name = spec.name.replace(/:0$/, '');
      if (out.has(name)) throw new FormatError(file, `the weights manifest lists "${name}" twice.`);
      out.set(name, { spec, values: decodeWeight(spec, data.subarray(at, at + n), file) });
      at += n;
    }
    if (at !== data.length) {
      throw new FormatError(lastShard, `weight data has ${data.length - at} bytes more than the manifest's ${group.weights.length} weights need (${at} bytes).`);
    }
  }
  return out;
}

/**
 * Reads a TF.js layers-model: builds the model from `modelJson.modelTopology` (Keras 2 dialect,
 * as tfjs-layers and tensorflowjs_converter write it) and loads the weights, matched by name as
 * tfjs-layers does (exact name, then without an RNN cell scope `a/cell/b` -> `a/b`). Every model
 * weight must be in the file and every file weight must belong to the model. Shards are fetched
 * with `loadShard(path)`, `path` as written in the manifest. With `compile` (default true) a
 * training config in the file (tfjs `trainingConfig`, converter `training_config`) compiles the
 * model; tfjs optimizer state (`group: 'optimizer'` weights) is skipped.
 */
export async function readTfjsModel(
  modelJson: object,
  loadShard: (path: string) => Promise<Uint8Array>,
  opts: ReadTfjsOptions = {},
): Promise<Model> {
  const file = opts.filename ?? 'model.json';
  if (!isObject(modelJson)) throw new FormatError(file, `model.json must be a JSON object, got ${Array.isArray(modelJson) ? 'a list' : typeof modelJson}.`);
  if (modelJson.format != null && modelJson.format !== 'layers-model') {
    throw new FormatError(file, `format is "${String(modelJson.format)}"; only "layers-model" files can be read (graph models have no Keras topology).`);
  }
  if (modelJson.modelTopology == null) throw new FormatError(file, 'model.json has no "modelTopology".');
  const groups = readManifest(modelJson, file);
  const config = fromKeras2Topology(modelJson.modelTopology, file);
  assertClassesKnown(config, file, opts.customObjects);

  const loaded = await readWeights(groups, loadShard, file, opts.onProgress);
  let model: Model | null = null;
  const fresh: Tensor[] = [];
  try {
    try {
      model = deserializeKerasObject<Model>('layer', config as SerializedObject, opts.customObjects);
    } catch (e) {
      throw new FormatError(file, `cannot build the model from "modelTopology": ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const targets = matchWeights(model, loaded, file);
    for (const { weight, value } of targets) fresh.push(tensor(value.values, value.spec.shape, weight.variable.dtype));
    // Everything is decoded and checked: assign all at the end.
    targets.forEach(({ weight }, i) => {
      weight.variable.assign(fresh[i]!);
    });
    // tfjs writes `trainingConfig` at the top (includeOptimizer); the converter `training_config` in the topology.
    const top = modelJson.modelTopology as Record<string, unknown>;
    const trainingConfig = modelJson.trainingConfig ?? (isObject(top) ? top.training_config : undefined);
    if (opts.compile !== false && trainingConfig != null) compileFromTrainingConfig(model, trainingConfig, file, opts.customObjects);
    opts.onProgress?.(1);
    return model;
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    dispose(fresh);
  }
}

/** Categories a class in a model config may belong to. */
const CLASS_CATEGORIES: Category[] = ['layer', 'model', 'initializer', 'regularizer', 'constraint', 'optimizer', 'schedule', 'loss', 'metric', 'activation'];

/**
 * Refuses a config naming a class that is neither built in, registered nor in `customObjects`,
 * before anything is built. Why up front: when a later layer fails to deserialize, the layers
 * built before it have created their variables, and the half-built model is unreachable, so
 * those variables would stay allocated.
 */
function assertClassesKnown(config: unknown, file: string, customObjects: CustomObjects | undefined): void {
  const visit = (x: unknown, path: string): void => {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) visit(x[i], `${path}[${i}]`);
      return;
    }
    if (!isObject(x)) return;
    const name = x.class_name;
    // Serialization markers (`__tensor__`, ...), dtype policies and functions name no class.
    const marker = typeof name !== 'string' || name.startsWith('__') || name === 'function' || /^(TensorShape|(Float)?DTypePolicy|Policy)$/.test(name);
    if (!marker && 'config' in x) {
      const registered = typeof x.registered_name === 'string' ? x.registered_name : null;
      if (!CLASS_CATEGORIES.some((c) => lookupClass(c, name as string, registered, customObjects) != null)) {
        throw new FormatError(
          file,
          `cannot build the model from "modelTopology": unknown class "${registered ?? (name as string)}" at ${path || 'the top level'}; register it with registerKerasSerializable or pass it in customObjects.`,
        );
      }
    }
    for (const [k, v] of Object.entries(x)) visit(v, path === '' ? k : `${path}.${k}`);
  };
  visit(config, '');
}

function matchWeights(
  model: Model,
  loaded: Map<string, { spec: TfjsWeightSpec; values: Float32Array | Int32Array }>,
  file: string,
): { weight: NamedWeight; value: { spec: TfjsWeightSpec; values: Float32Array | Int32Array } }[] {
  const weights = namedWeights(model);
  const byName = new Map<string, NamedWeight>();
  for (const w of weights) {
    if (byName.has(w.name)) throw new FormatError(file, `the model has two weights named "${w.name}"; TF.js weights are matched by name.`);
    byName.set(w.name, w);
  }
  const byAlias = new Map(weights.flatMap((w) => w.aliases.map((a) => [a, w] as const)));
  const assigned = new Map<NamedWeight, { spec: TfjsWeightSpec; values: Float32Array | Int32Array }>();
  for (const [name, value] of loaded) {
    const parts = name.split('/');
    const shortened = [...parts.slice(0, -2), parts[parts.length - 1]].join('/');
    const target = byName.get(name) ?? byAlias.get(name) ?? (parts.length > 2 ? byName.get(shortened) : undefined);
    if (target == null) throw new FormatError(file, `the file has weight "${name}", which matches no weight of the model (model weights: ${weights.map((w) => w.name).join(', ')}).`);
    if (assigned.has(target)) throw new FormatError(file, `weights "${name}" and "${assigned.get(target)!.spec.name}" both match model weight "${target.name}".`);
    const shape = target.variable.shape;
    if (value.spec.shape.length !== shape.length || value.spec.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(file, `weight "${name}" has shape [${value.spec.shape.join(', ')}] in the file but [${shape.join(', ')}] in the model (${target.variable.path}).`);
    }
    assigned.set(target, value);
  }
  const missing = weights.filter((w) => !assigned.has(w));
  if (missing.length > 0) {
    throw new FormatError(file, `${missing.length} of ${weights.length} model weights are not in the file: ${missing.map((w) => w.name).join(', ')}.`);
  }
  return weights.map((weight) => ({ weight, value: assigned.get(weight)! }));
}
