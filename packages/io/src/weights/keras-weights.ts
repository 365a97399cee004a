import type { Variable } from '@strata/core';
import type { Model } from '@strata/models';
import { FormatError } from '../errors';
import { type H5Dtype, type H5Group, readH5, writeH5 } from '../h5/h5-file';
import { PendingAssignments, type SaveableEntry, datasetToTensor, saveableEntries, shapeText } from './saveable-tree';

/** Options of `readKerasWeights`. */
export interface ReadKerasWeightsOptions {
  /** Name used in error messages (default `'<memory>'`). */
  filename?: string;
  /** Warn and skip objects whose variable count or shapes differ, as Keras' `skip_mismatch=True`. */
  skipMismatch?: boolean;
}

function h5DtypeOf(v: Variable, isIteration: boolean): H5Dtype {
  // Keras' optimizer iteration counter is int64; Strata keeps it as int32.
  if (isIteration) return 'int64';
  if (v.dtype === 'int32') return 'int32';
  if (v.dtype === 'bool') return 'uint8';
  return 'float32';
}

/**
 * Writes `entries` into `root` with Keras 3's weights layout: `<path>/vars` groups carrying the
 * object name as attribute `name`, datasets `<path>/vars/<i>`.
 */
export async function writeSaveables(root: H5Group, entries: readonly SaveableEntry[], iteration: Variable | null): Promise<void> {
  for (const entry of entries) {
    const vars = root.createGroup(entry.path === '' ? 'vars' : `${entry.path}/vars`);
    vars.setStringAttr('name', entry.name);
    for (let i = 0; i < entry.variables.length; i++) {
      const v = entry.variables[i]!;
      const data = await v.data();
      vars.writeDataset(String(i), data, v.shape, h5DtypeOf(v, v === iteration));
    }
  }
}

/**
 * Keras 3 `model.save_weights('x.weights.h5')`: every layer's own variables at
 * `layers/<snake class name>[_n]/vars/<i>` (nested models and sublayers nested the same way),
 * the model's own at `/vars`, and the optimizer's (iteration, learning rate, slots) at
 * `optimizer/vars` when the model has one. See keras/src/saving/saving_lib.py `_save_state`.
 */
export async function writeKerasWeights(model: Model): Promise<Uint8Array> {
  const entries = saveableEntries(model);
  const optimizer = model.optimizer as unknown as { iterations?: Variable } | null;
  return writeH5((root) => writeSaveables(root, entries, optimizer?.iterations ?? null));
}

/**
 * Stages the values of `entries` from `root` (Keras' `_load_state`/`load_own_variables`): a
 * missing `vars` group counts as no variables; the dataset count must equal the variable count and
 * every shape must match. Errors of all objects are collected and thrown together as one
 * `FormatError`, or with `skipMismatch` the failing objects are skipped with a warning. An
 * optimizer whose variable count differs is skipped with a warning, as Keras does.
 */
export function stageSaveables(root: H5Group, entries: readonly SaveableEntry[], pending: PendingAssignments, skipMismatch: boolean): void {
  const errors: string[] = [];
  // Files from tf.keras 2.13-2.15 name the layer list `_layer_checkpoint_dependencies`.
  const legacyLayers = root.kind('layers') == null && root.kind('_layer_checkpoint_dependencies') === 'group';
  for (const entry of entries) {
    let path = entry.path;
    if (legacyLayers) path = path.replace(/(^|\/)layers(\/|$)/g, '$1_layer_checkpoint_dependencies$2');
    const groupPath = path === '' ? 'vars' : `${path}/vars`;
    const group = root.kind(groupPath) === 'group' ? root.requireGroup(groupPath) : null;
    const saved = group == null ? [] : group.keys();
    const expected = entry.variables;
    if (entry.kind === 'optimizer') {
      if (saved.length !== expected.length) {
        console.warn(
          `${root.file}: skipping variable loading for optimizer '${entry.name}', because it has ${expected.length} variables whereas the saved optimizer has ${saved.length} variables.` +
            (expected.length <= 2 ? ' This is likely because the optimizer has not been called/built yet.' : ''),
        );
        continue;
      }
    } else if (saved.length !== expected.length) {
      errors.push(
        `${entry.label} expected ${expected.length} variables, but received ${saved.length} variables during loading. Expected: [${expected.map((v) => v.name).join(', ')}]`,
      );
      continue;
    }
    const staged = new PendingAssignments();
    let failed: string | null = null;
    try {
      for (let i = 0; i < expected.length && failed == null; i++) {
        const v = expected[i]!;
        const arr = group!.readDataset(String(i));
        if (arr == null) {
          failed = `${entry.label}: dataset ${groupPath}/${i} is missing (the group has ${saved.join(', ')})`;
          break;
        }
        if (arr.shape.length !== v.shape.length || arr.shape.some((d, k) => d !== v.shape[k])) {
          failed = `${entry.label}: variable ${v.path} expects shape ${shapeText(v.shape)}, the file has ${shapeText(arr.shape)} at ${groupPath}/${i}`;
          break;
        }
        staged.add(v, datasetToTensor(arr, v.dtype, root.file, `${groupPath}/${i}`));
      }
    } catch (e) {
      staged.dispose();
      throw e;
    }
    if (failed != null) {
      staged.dispose();
      errors.push(failed);
      continue;
    }
    pending.absorb(staged);
  }
  if (errors.length > 0) {
    const msg = `${errors.length} object(s) could not be loaded: ${errors.join('; ')}`;
    if (!skipMismatch) throw new FormatError(root.file, msg);
    console.warn(`${root.file}: ${msg}`);
  }
}

/**
 * Keras 3 `model.load_weights('x.weights.h5')` from bytes. Nothing is written into the model
 * unless the whole file loads (or, with `skipMismatch`, every object that matches).
 */
export async function readKerasWeights(model: Model, bytes: Uint8Array, opts: ReadKerasWeightsOptions = {}): Promise<void> {
  const entries = saveableEntries(model);
  const pending = new PendingAssignments();
  try {
    await readH5(bytes, opts.filename, (root) => stageSaveables(root, entries, pending, opts.skipMismatch ?? false));
  } catch (e) {
    pending.dispose();
    throw e;
  }
  pending.commit();
}
