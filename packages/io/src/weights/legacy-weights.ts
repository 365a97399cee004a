import type { Variable } from '@strata/core';
import type { Layer } from '@strata/layers';
import type { Model } from '@strata/models';
import { FormatError } from '../errors';
import { readChunkedStringList, writeChunkedStringList } from '../h5/attributes';
import { type H5Array, type H5Group, readH5, writeH5 } from '../h5/h5-file';
import { PendingAssignments, datasetToTensor, ownVariables, shapeText } from './saveable-tree';

/** Keras version written into legacy files' `keras_version` attribute (the format Strata follows). */
export const LEGACY_KERAS_VERSION = '3.15.1';
/** Backend name written into legacy files' `backend` attribute. */
export const LEGACY_BACKEND = 'strata';

/** Options of `readLegacyWeights`. */
export interface ReadLegacyWeightsOptions {
  /** Match file layers to model layers by name instead of by position (Keras' `by_name`). */
  byName?: boolean;
  /** Warn and skip layers whose weight count or shapes differ (Keras' `skip_mismatch`). */
  skipMismatch?: boolean;
  /** Name used in error messages (default `'<memory>'`). */
  filename?: string;
  /** Group holding the weights, e.g. `'model_weights'` inside a full-model file; default: the root, or `model_weights` when the root has no `layer_names`. */
  group?: string;
}

/** Keras' legacy weight order: `trainable_weights + non_trainable_weights`. */
function legacyWeights(layer: Layer): Variable[] {
  return [...layer.trainableWeights, ...layer.nonTrainableWeights];
}

function h5Dtype(v: Variable): 'float32' | 'int32' | 'uint8' {
  return v.dtype === 'int32' ? 'int32' : v.dtype === 'bool' ? 'uint8' : 'float32';
}

async function writeSubset(group: H5Group, weights: readonly Variable[]): Promise<void> {
  const names = weights.map((w) => w.path);
  writeChunkedStringList(group, 'weight_names', names);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    group.writeDataset(names[i]!, await w.data(), w.shape, h5Dtype(w));
  }
}

/**
 * Writes `model`'s weights into `group` with the legacy layout (Keras'
 * `legacy_h5_format.save_weights_to_hdf5_group`): attrs `layer_names` (every layer of
 * `model.layers`, chunked as `layer_names0..N` when large), `backend`, `keras_version`; one group
 * per layer named by `layer.name` with attr `weight_names` (the variables' paths) and the datasets
 * at those relative paths; `top_level_model_weights` for the model's own variables. Part B's
 * full-model writer calls it with the `model_weights` group.
 */
export async function writeLegacyWeightsInto(group: H5Group, model: Model): Promise<void> {
  const layers = model.layers;
  writeChunkedStringList(
    group,
    'layer_names',
    layers.map((l) => l.name),
  );
  group.setStringAttr('backend', LEGACY_BACKEND);
  group.setStringAttr('keras_version', LEGACY_KERAS_VERSION);
  // Keras creates the groups in sorted name order so no name is a prefix of an earlier path.
  for (const layer of [...layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    await writeSubset(group.createGroup(layer.name), legacyWeights(layer));
  }
  await writeSubset(group.createGroup('top_level_model_weights'), ownVariables(model));
}

/** A weights-only legacy `.h5` file (`save_weights_to_hdf5_group` at the file root). */
export async function writeLegacyWeights(model: Model): Promise<Uint8Array> {
  return writeH5((root) => writeLegacyWeightsInto(root, model));
}

interface SavedLayer {
  name: string;
  values: { path: string; shape: number[]; raw: H5Array }[];
}

/** `load_subset_weights_from_hdf5_group`: the datasets named by `weight_names`, in that order. */
function readSubset(group: H5Group): SavedLayer['values'] {
  const names = readChunkedStringList(group, 'weight_names') ?? [];
  return names.map((name) => {
    const raw = group.readDataset(name);
    if (raw == null) throw group.error(`${group.path} lists weight "${name}" in weight_names but has no such dataset`);
    return { path: `${group.path}/${name}`, shape: raw.shape, raw };
  });
}

function stageLayer(
  file: string,
  label: string,
  weights: readonly Variable[],
  saved: SavedLayer['values'],
  pending: PendingAssignments,
  skipMismatch: boolean,
): void {
  const staged = new PendingAssignments();
  try {
    for (let i = 0; i < saved.length; i++) {
      const v = weights[i]!;
      const s = saved[i]!;
      if (s.shape.length !== v.shape.length || s.shape.some((d, k) => d !== v.shape[k])) {
        const msg = `shape mismatch in ${label} for weight ${v.path}: weight expects shape ${shapeText(v.shape)}, the file has ${shapeText(s.shape)} at ${s.path}`;
        if (skipMismatch) {
          // Keras' `_set_weights` skips just this weight.
          console.warn(`${file}: skipping ${msg}`);
          continue;
        }
        throw new FormatError(file, msg);
      }
      staged.add(v, datasetToTensor(s.raw, v.dtype, file, s.path));
    }
    pending.absorb(staged);
  } finally {
    staged.dispose();
  }
}

function weightsRoot(root: H5Group, group: string | undefined): H5Group {
  if (group != null) return root.requireGroup(group);
  // A full-model file keeps the weights in `model_weights` (saving_api.load_weights descends).
  if (readChunkedStringList(root, 'layer_names') == null && root.kind('model_weights') === 'group') return root.requireGroup('model_weights');
  return root;
}

/** Topological loading (Keras' default `load_weights_from_hdf5_group`): weight-bearing layers paired by position. */
function stageTopological(f: H5Group, model: Model, pending: PendingAssignments, skipMismatch: boolean): void {
  const file = f.file;
  const layerNames = readChunkedStringList(f, 'layer_names');
  if (layerNames == null) throw new FormatError(file, `${f.path} has no layer_names attribute: not a Keras weights file`);
  const filtered = model.layers.filter((l) => legacyWeights(l).length > 0);
  const saved: { name: string; values: SavedLayer['values'] }[] = [];
  for (const name of layerNames) {
    const g = f.getGroup(name);
    if (g == null) throw new FormatError(file, `layer_names lists "${name}" but ${f.path} has no such group`);
    const values = readSubset(g);
    if (values.length > 0) saved.push({ name, values });
  }
  if (saved.length !== filtered.length) {
    throw new FormatError(
      file,
      `layer count mismatch when loading weights: the model expects ${filtered.length} layers with weights (${filtered.map((l) => l.name).join(', ')}), the file has ${saved.length} (${saved.map((s) => s.name).join(', ')})`,
    );
  }
  saved.forEach(({ name, values }, k) => {
    const layer = filtered[k]!;
    const weights = legacyWeights(layer);
    const label = `layer #${k} (named ${layer.name} in the model, ${name} in the file)`;
    if (values.length !== weights.length) {
      throw new FormatError(
        file,
        `weight count mismatch for ${label}: the layer expects ${weights.length} weight(s) ${weights.map((w) => shapeText(w.shape)).join(' ')}, the file has ${values.length} ${values.map((v) => shapeText(v.shape)).join(' ')}`,
      );
    }
    stageLayer(file, label, weights, values, pending, skipMismatch);
  });
  stageTopLevel(f, model, pending, skipMismatch);
}

/** `top_level_model_weights`: variables owned by the model itself. */
function stageTopLevel(f: H5Group, model: Model, pending: PendingAssignments, skipMismatch: boolean): void {
  const g = f.getGroup('top_level_model_weights');
  if (g == null) return;
  const values = readSubset(g);
  const weights = ownVariables(model);
  if (values.length !== weights.length) {
    const msg = `weight count mismatch for the top-level weights of model "${model.name}": it expects ${weights.length}, the file has ${values.length}`;
    if (!skipMismatch) throw new FormatError(f.file, msg);
    console.warn(`${f.file}: skipping ${msg}`);
    return;
  }
  stageLayer(f.file, `top-level model "${model.name}"`, weights, values, pending, skipMismatch);
}

/** By-name loading (`load_weights_from_hdf5_group_by_name`): each file layer goes to every model layer of that name. */
function stageByName(f: H5Group, model: Model, pending: PendingAssignments, skipMismatch: boolean): void {
  const file = f.file;
  const layerNames = readChunkedStringList(f, 'layer_names');
  if (layerNames == null) throw new FormatError(file, `${f.path} has no layer_names attribute: not a Keras weights file`);
  const index = new Map<string, Layer[]>();
  for (const layer of model.layers) index.set(layer.name, [...(index.get(layer.name) ?? []), layer]);
  layerNames.forEach((name, k) => {
    const g = f.getGroup(name);
    if (g == null) throw new FormatError(file, `layer_names lists "${name}" but ${f.path} has no such group`);
    const targets = index.get(name) ?? [];
    if (targets.length === 0) return;
    const values = readSubset(g);
    for (const layer of targets) {
      const weights = legacyWeights(layer);
      const label = `layer #${k} (named ${layer.name})`;
      if (values.length !== weights.length) {
        const msg = `weight count mismatch for ${label}: the layer expects ${weights.length} weight(s) ${weights.map((w) => shapeText(w.shape)).join(' ')}, the file has ${values.length} ${values.map((v) => shapeText(v.shape)).join(' ')}`;
        if (skipMismatch) {
          console.warn(`${file}: skipping ${msg}`);
          continue;
        }
        throw new FormatError(file, msg);
      }
      stageLayer(file, label, weights, values, pending, skipMismatch);
    }
  });
  stageTopLevel(f, model, pending, skipMismatch);
}

/**
 * Loads a legacy Keras `.h5` weights file (or the `model_weights` group of a full-model file)
 * into `model`: by position over the layers that have weights (Keras' default), or by layer name
 * with `byName`. Dataset names are never interpreted; `weight_names` says where each weight is.
 * Nothing is assigned unless the load succeeds.
 */
export async function readLegacyWeights(model: Model, bytes: Uint8Array, opts: ReadLegacyWeightsOptions = {}): Promise<void> {
  const pending = new PendingAssignments();
  try {
    await readH5(bytes, opts.filename, (root) => {
      const f = weightsRoot(root, opts.group);
      if (opts.byName) stageByName(f, model, pending, opts.skipMismatch ?? false);
      else stageTopological(f, model, pending, opts.skipMismatch ?? false);
    });
  } catch (e) {
    pending.dispose();
    throw e;
  }
  pending.commit();
}

/** Reads the weights of an already open legacy group into `model` (part B's full-model reader). */
export function readLegacyWeightsFrom(group: H5Group, model: Model, opts: { byName?: boolean; skipMismatch?: boolean } = {}): void {
  const pending = new PendingAssignments();
  try {
    if (opts.byName) stageByName(group, model, pending, opts.skipMismatch ?? false);
    else stageTopological(group, model, pending, opts.skipMismatch ?? false);
  } catch (e) {
    pending.dispose();
    throw e;
  }
  pending.commit();
}
