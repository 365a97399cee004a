import type { Model } from '@strata/models';
import { unzipSync } from 'fflate';
import { FormatError, IoError, MEMORY_SOURCE } from './errors';
import { isHdf5, readH5 } from './h5/h5-file';
import { HttpStore } from './handlers/http';
import { type FileFormat, type ResolvedLocation, formatOfName, resolveLocation } from './handlers/resolve';
import { mergeShardedWeights, shardKerasWeights } from './handlers/sharded-weights';
import { type Location, type StoredFile, basename, dirname, joinPath } from './handlers/types';
import { readKerasArchive, writeKerasArchive } from './keras/archive';
import { readLegacyH5Model, writeLegacyH5Model } from './legacy/h5-model';
import type { LoadOptions, LoadWeightsOptions, SaveOptions, SaveWeightsOptions } from './options';
import { readTfjsModel, writeTfjsModel } from './tfjs';
import { readKerasWeights, writeKerasWeights } from './weights/keras-weights';
import { readLegacyWeights, writeLegacyWeights } from './weights/legacy-weights';

/** A TF.js model held in memory: the parsed (or text) `model.json` and its weight shards in manifest order. */
export interface TfjsArtifacts {
  modelJson: object | string;
  weightData?: Uint8Array | ArrayBuffer | (Uint8Array | ArrayBuffer)[];
}

/** Where `saveModel`/`saveWeights` write: a path, URL or `scheme://name` string, or a store location (`new MemoryStore().at('m.keras')`). */
export type SaveTarget = string | Location;

/** What `loadModel`/`loadWeights` read: a target as above, the bytes of a file, or in-memory TF.js artifacts. */
export type LoadSource = string | Location | Uint8Array | ArrayBuffer | TfjsArtifacts;

/** Formats `loadModel` can find by sniffing bytes. */
export type SniffedFormat = 'keras' | 'h5' | 'tfjs' | 'sharded-weights';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** The weights member of a `.keras` archive (saving_lib's `_VARS_FNAME` + `.h5`). */
const KERAS_WEIGHTS_MEMBER = 'model.weights.h5';
/** Refuse to inflate a `.keras` weights member above this (zip bombs); a real model this large cannot be loaded anyway. */
const MAX_INFLATED_BYTES = 2 ** 31;

/** The format of a file from its first bytes: zip (`.keras`), HDF5 signature (legacy `.h5`), or JSON with `modelTopology` (TF.js). */
export function sniffFormat(bytes: Uint8Array): SniffedFormat | null {
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return 'keras';
  if (isHdf5(bytes)) return 'h5';
  let i = 0;
  // Skip a UTF-8 byte-order mark and leading whitespace.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b /* { */) return null;
  const json = tryParseJson(bytes);
  if (json == null || typeof json !== 'object') return null;
  if ('modelTopology' in json) return 'tfjs';
  if ('weight_map' in json) return 'sharded-weights';
  return null;
}

function tryParseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function parseJson(bytes: Uint8Array, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new FormatError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError(file, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function isLocation(x: unknown): x is Location {
  return x != null && typeof x === 'object' && 'store' in x && 'path' in x;
}

function isTfjsArtifacts(x: unknown): x is TfjsArtifacts {
  return x != null && typeof x === 'object' && 'modelJson' in x;
}

/** The path of a file stored beside the main file (TF.js shards, weight shards): URLs resolve like links. */
function sibling(loc: Location, relative: string): string {
  return loc.store instanceof HttpStore ? relative : joinPath(dirname(loc.path), relative);
}

async function locate(target: SaveTarget, forWrite: boolean): Promise<ResolvedLocation> {
  if (isLocation(target)) {
    const name = basename(target.path);
    return { ...target, format: formatOfName(name), original: target.store.describe(target.path) };
  }
  return resolveLocation(target, forWrite);
}

/** Splits progress over `parts` consecutive steps into one [0, 1] fraction, never going backwards. */
function progressSplitter(onProgress: ((f: number) => void) | undefined, parts: number) {
  let last = 0;
  return (index: number) =>
    onProgress == null
      ? undefined
      : (f: number) => {
          const value = Math.min(1, (index + Math.max(0, Math.min(1, f))) / parts);
          if (value >= last) {
            last = value;
            onProgress(value);
          }
        };
}

/** Loader options without `onProgress`: the API reports progress itself, over all files. */
function withoutProgress(opts: LoadOptions): LoadOptions {
  const { onProgress: _ignored, ...rest } = opts;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Saving a model

/** The TF.js files of `model`: `model.json` (at `mainPath`) plus shards `group1-shard{i}of{n}.bin` beside it. */
async function tfjsFiles(model: Model, mainPath: string, opts: SaveOptions, file: string): Promise<StoredFile[]> {
  const { modelJson, weightData } = await writeTfjsModel(model, { quantization: opts.quantization ?? null, shardSizeBytes: opts.shardSizeBytes });
  const json = modelJson as { weightsManifest?: { paths?: string[] }[] };
  const groups = json.weightsManifest ?? [];
  const paths = groups.flatMap((g) => g.paths ?? []);
  if (paths.length !== weightData.length) {
    throw new FormatError(file, `internal: the TF.js manifest lists ${paths.length} shard paths for ${weightData.length} shards`);
  }
  const dir = dirname(mainPath);
  const files: StoredFile[] = [{ path: mainPath, data: new TextEncoder().encode(JSON.stringify(modelJson)) }];
  for (const [i, p] of paths.entries()) files.push({ path: joinPath(dir, p), data: weightData[i]! });
  return files;
}

/**
 * Keras' `model.save(filepath)` / `keras.saving.save_model`. The target decides the format:
 * `*.keras` the Keras 3 zip archive; `*.h5`/`*.hdf5` the legacy HDF5 full model; a directory,
 * a `*.json` path, or `indexeddb://name` / `localstorage://name` / `downloads://name` the TF.js
 * layers format (`model.json` + `group1-shard1of1.bin`...). Returns the files written.
 * Files are written atomically: a failed save leaves any previous file intact.
 */
export async function saveModel(model: Model, target: SaveTarget, opts: SaveOptions = {}): Promise<StoredFile[]> {
  const loc = await locate(target, true);
  const file = loc.original;
  let files: StoredFile[];
  switch (loc.format) {
    case 'keras':
      files = [{ path: loc.path, data: await writeKerasArchive(model) }];
      break;
    case 'h5':
      files = [{ path: loc.path, data: await writeLegacyH5Model(model) }];
      break;
    case 'tfjs':
      files = await tfjsFiles(model, loc.path, opts, file);
      break;
    case 'keras-weights':
    case 'sharded-weights':
      throw new IoError(file, 'is a weights file name; save the whole model to a `.keras` path, or call saveWeights for weights only');
    default:
      throw new IoError(
        file,
        'Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras format (recommended) or a `.h5` extension, or give a directory / `model.json` path for the TF.js format.',
      );
  }
  // The main file last: a reader never finds a new model.json whose shards are not written yet.
  await loc.store.write([...files.slice(1), files[0]!], { overwrite: opts.overwrite ?? true, onProgress: opts.onProgress });
  return files;
}

// ---------------------------------------------------------------------------------------------
// Loading a model

async function loadTfjs(
  modelJson: Record<string, unknown>,
  readShard: (path: string, onProgress?: (f: number) => void) => Promise<Uint8Array>,
  opts: LoadOptions,
  progress: ReturnType<typeof progressSplitter>,
  file: string,
): Promise<Model> {
  if (!('modelTopology' in modelJson)) throw new FormatError(file, 'not a TF.js layers model: the JSON has no "modelTopology"');
  const manifest = (modelJson.weightsManifest ?? []) as { paths?: string[] }[];
  const shardPaths = Array.isArray(manifest) ? manifest.flatMap((g) => g?.paths ?? []) : [];
  const index = new Map(shardPaths.map((p, i) => [p, i + 1]));
  return readTfjsModel(modelJson, (p) => readShard(p, progress(index.get(p) ?? 0)), { ...withoutProgress(opts), filename: file });
}

function tfjsPartsCount(modelJson: Record<string, unknown>): number {
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest)) return 1;
  return 1 + manifest.reduce((n: number, g: { paths?: unknown[] }) => n + (Array.isArray(g?.paths) ? g.paths.length : 0), 0);
}

function toBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/** Loads from the bytes of one file whose format is known or sniffed. */
async function loadFromBytes(bytes: Uint8Array, format: FileFormat | SniffedFormat | null, file: string, opts: LoadOptions): Promise<Model> {
  const fmt = format ?? sniffFormat(bytes);
  switch (fmt) {
    case 'keras':
      return readKerasArchive(bytes, { ...withoutProgress(opts), filename: file });
    case 'h5':
      return readLegacyH5Model(bytes, { ...withoutProgress(opts), filename: file });
    case 'keras-weights':
    case 'sharded-weights':
      throw new IoError(file, 'holds weights only, not a model: build the model and call loadWeights');
    case 'tfjs':
      throw new IoError(file, 'is a TF.js model.json: load it from its path or URL (the weight shards are read beside it), or pass { modelJson, weightData }');
    default:
      throw new FormatError(
        file,
        'File format not supported: expected a `.keras` zip archive, a legacy HDF5 `.h5` file or a TF.js model.json (no zip, HDF5 or JSON signature found)',
      );
  }
}

/**
 * Keras' `keras.models.load_model` / `keras.saving.load_model`: a `.keras` archive, a legacy `.h5`
 * model or a TF.js layers model, from a file path, an http(s) URL, `indexeddb://` /
 * `localstorage://` storage, a store location, the bytes of a file (format sniffed), or
 * `{ modelJson, weightData }`. `opts.onProgress` gets the fraction of bytes read.
 */
export async function loadModel(source: LoadSource, opts: LoadOptions = {}): Promise<Model> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const model = await loadFromBytes(toBytes(source), null, MEMORY_SOURCE, opts);
    opts.onProgress?.(1);
    return model;
  }
  if (isTfjsArtifacts(source)) {
    const json = typeof source.modelJson === 'string' ? parseJson(new TextEncoder().encode(source.modelJson), MEMORY_SOURCE) : (source.modelJson as Record<string, unknown>);
    const raw = source.weightData;
    const shards = raw == null ? [] : Array.isArray(raw) ? raw.map(toBytes) : [toBytes(raw)];
    const paths = tfjsPartsCount(json) - 1;
    if (shards.length !== paths) {
      throw new FormatError(MEMORY_SOURCE, `the TF.js weightsManifest lists ${paths} shard file(s) but weightData has ${shards.length}; pass one Uint8Array per shard, in manifest order`);
    }
    const manifest = (json.weightsManifest ?? []) as { paths?: string[] }[];
    const byPath = new Map(manifest.flatMap((g) => g.paths ?? []).map((p, i) => [p, shards[i]!]));
    const model = await loadTfjs(
      json,
      async (p) => {
        const data = byPath.get(p);
        if (data == null) throw new IoError(joinPath(MEMORY_SOURCE, p), 'no such weight shard in weightData');
        return data;
      },
      opts,
      () => undefined,
      MEMORY_SOURCE,
    );
    opts.onProgress?.(1);
    return model;
  }
  const loc = await locate(source, false);
  const file = loc.original;
  if (loc.format === 'tfjs') {
    const mainBytes = await loc.store.read(loc.path);
    const json = parseJson(mainBytes, loc.store.describe(loc.path));
    const progress = progressSplitter(opts.onProgress, tfjsPartsCount(json));
    progress(0)?.(1);
    const model = await loadTfjs(json, (p, onP) => loc.store.read(sibling(loc, p), onP), opts, progress, loc.store.describe(loc.path));
    opts.onProgress?.(1);
    return model;
  }
  // Fractions below 1 while the bytes arrive; 1 once the model is built.
  const onRead = opts.onProgress == null ? undefined : (f: number) => f < 1 && opts.onProgress!(f);
  const bytes = await loc.store.read(loc.path, onRead);
  let format: FileFormat | SniffedFormat | null = loc.format;
  if (format == null) {
    format = sniffFormat(bytes);
    if (format === 'tfjs') {
      // A model.json under another name: read the shards beside it.
      const json = parseJson(bytes, file);
      const model = await loadTfjs(json, (p) => loc.store.read(sibling(loc, p)), opts, () => undefined, file);
      opts.onProgress?.(1);
      return model;
    }
  }
  const model = await loadFromBytes(bytes, format, file, opts);
  opts.onProgress?.(1);
  return model;
}

// ---------------------------------------------------------------------------------------------
// Weights

/**
 * Keras' `model.save_weights(filepath, overwrite, max_shard_size)`: `*.weights.h5` the Keras 3
 * layout (with the optimizer's variables when it is built), `*.h5`/`*.hdf5` the legacy
 * weights-only layout (`by_name` loadable), `*.weights.json` with `maxShardSize` (GB) Keras'
 * sharded layout (index + `<base>_00000.weights.h5` shards).
 */
export async function saveWeights(model: Model, target: SaveTarget, opts: SaveWeightsOptions = {}): Promise<StoredFile[]> {
  const loc = await locate(target, true);
  const file = loc.original;
  let data: Uint8Array;
  if (opts.maxShardSize != null) {
    let indexPath = loc.path;
    if (loc.format === 'keras-weights') {
      // As Keras' ShardedH5IOStore: sharded weights need the .json index name.
      indexPath = loc.path.replace(/\.h5$/i, '.json');
      console.warn(`Saving sharded weights requires \`*.json\` as the extension. The original path: ${file} will be renamed to ${loc.store.describe(indexPath)}.`);
    } else if (loc.format !== 'sharded-weights') {
      throw new IoError(file, 'The filename must end in `.weights.json` when `maxShardSize` is specified.');
    }
    const files = await shardKerasWeights(await writeKerasWeights(model), indexPath, opts.maxShardSize);
    await loc.store.write(files, { overwrite: opts.overwrite ?? true });
    return files;
  }
  switch (loc.format) {
    case 'keras-weights':
      data = await writeKerasWeights(model);
      break;
    case 'h5':
      data = await writeLegacyWeights(model);
      break;
    case 'sharded-weights':
      throw new IoError(file, 'The filename must end in `.weights.h5`; sharded `.weights.json` files need `maxShardSize` (GB per shard).');
    default:
      throw new IoError(file, 'The filename must end in `.weights.h5` (Keras 3 weights) or `.h5` / `.hdf5` (legacy weights).');
  }
  const files = [{ path: loc.path, data }];
  await loc.store.write(files, { overwrite: opts.overwrite ?? true });
  return files;
}

/** Which HDF5 weights layout `bytes` holds: Keras 3 (`/vars`, `/layers`), legacy weights (`layer_names`), or a legacy full model. */
async function h5WeightsLayout(bytes: Uint8Array, file: string): Promise<'keras' | 'legacy' | 'legacy-model'> {
  return readH5(bytes, file, (root) => {
    const attrs = root.attrNames();
    if (attrs.includes('layer_names') || attrs.includes('layer_names0')) return 'legacy';
    if (root.kind('model_weights') === 'group') return 'legacy-model';
    return 'keras';
  });
}

/** The `model.weights.h5` member of a `.keras` archive. */
function kerasArchiveWeights(bytes: Uint8Array, file: string): Uint8Array {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        if (f.name !== KERAS_WEIGHTS_MEMBER) return false;
        if (f.originalSize > MAX_INFLATED_BYTES) throw new FormatError(file, `${KERAS_WEIGHTS_MEMBER} claims ${f.originalSize} bytes; refusing to inflate it`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof IoError) throw e;
    throw new FormatError(file, `not a valid .keras zip archive (${(e as Error).message})`, { cause: e });
  }
  const weights = members[KERAS_WEIGHTS_MEMBER];
  if (weights == null) throw new FormatError(file, `the .keras archive has no ${KERAS_WEIGHTS_MEMBER} (a model.weights.npz archive is not supported)`);
  return weights;
}

async function loadWeightsFromBytes(
  model: Model,
  bytes: Uint8Array,
  format: FileFormat | SniffedFormat | null,
  file: string,
  opts: LoadWeightsOptions,
): Promise<void> {
  const fmt = format ?? sniffFormat(bytes);
  const skipMismatch = opts.skipMismatch ?? false;
  const rejectByName = () => {
    if (opts.byName != null) throw new IoError(file, "`by_name` only supports loading legacy '.h5' or '.hdf5' files.");
  };
  switch (fmt) {
    case 'keras':
      rejectByName();
      await readKerasWeights(model, kerasArchiveWeights(bytes, file), { filename: file, skipMismatch });
      return;
    case 'keras-weights':
    case 'h5': {
      const layout = await h5WeightsLayout(bytes, file);
      if (layout === 'keras') {
        rejectByName();
        await readKerasWeights(model, bytes, { filename: file, skipMismatch });
      } else {
        // As Keras: a full-model file's weights live in `model_weights/`.
        const group = layout === 'legacy-model' ? 'model_weights' : undefined;
        await readLegacyWeights(model, bytes, { byName: opts.byName ?? false, skipMismatch, filename: file, group });
      }
      return;
    }
    case 'sharded-weights':
      throw new IoError(file, 'is a sharded weights index (`.weights.json`): load it from its path, so the shard files beside it can be read');
    case 'tfjs':
      throw new IoError(file, 'is a TF.js model.json; load the whole model with loadModel');
    default:
      throw new FormatError(
        file,
        'File format not supported: expected `.keras`, `.weights.h5` or legacy `.h5` weights (no zip or HDF5 signature found)',
      );
  }
}

/**
 * Keras' `model.load_weights(filepath, skip_mismatch, by_name)`: `.keras` (its weights),
 * `.weights.h5`, or legacy `.h5`/`.hdf5` (by position, or by layer name with `byName`).
 * Bytes are sniffed. All values are checked before any variable changes.
 */
export async function loadWeights(model: Model, source: LoadSource, opts: LoadWeightsOptions = {}): Promise<void> {
  if (isTfjsArtifacts(source)) throw new IoError(MEMORY_SOURCE, 'TF.js artifacts hold a whole model; use loadModel');
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    await loadWeightsFromBytes(model, toBytes(source), null, MEMORY_SOURCE, opts);
    opts.onProgress?.(1);
    return;
  }
  const loc = await locate(source, false);
  const file = loc.original;
  if (loc.format === 'tfjs') throw new IoError(file, 'is a TF.js model (model.json); load the whole model with loadModel');
  if (loc.format == null && typeof source === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new IoError(
      file,
      'File format not supported. Keras 3 only supports V3 `.keras` files, `.weights.h5` files, or legacy H5 format files (`.h5` extension).',
    );
  }
  const bytes = await loc.store.read(loc.path, opts.onProgress);
  if (loc.format === 'sharded-weights' || (loc.format == null && sniffFormat(bytes) === 'sharded-weights')) {
    if (opts.byName != null) throw new IoError(file, "`by_name` only supports loading legacy '.h5' or '.hdf5' files.");
    const merged = await mergeShardedWeights(parseJson(bytes, file), (name) => loc.store.read(sibling(loc, name)), file);
    await readKerasWeights(model, merged, { filename: file, skipMismatch: opts.skipMismatch ?? false });
    return;
  }
  await loadWeightsFromBytes(model, bytes, loc.format, file, opts);
}
