import type { Config, Tensor, Variable } from '@strata/core';
import type { Model } from '@strata/models';
import { FormatError, IoError } from '../errors';
import { readChunkedStringList, writeChunkedStringList } from '../h5/attributes';
import { type H5Group, readH5, writeH5 } from '../h5/h5-file';
import { compileConfigOf, compileFromConfig } from '../keras/compile-config';
import { modelFromConfig, modelToConfig, parseKerasJson, stringifyKerasJson } from '../keras/config';
import { assertSafeConfig } from '../keras/safe-mode';
import type { LoadOptions } from '../options';
import { LEGACY_BACKEND, LEGACY_KERAS_VERSION, readLegacyWeights, writeLegacyWeightsInto } from '../weights/legacy-weights';
import { datasetToTensor } from '../weights/saveable-tree';


/** Options of `readLegacyH5Model`, plus the file name used in error messages. */
export interface LegacyLoadOptions extends LoadOptions {
  filename?: string;
}

/**
 * A Keras 3 model config in the legacy H5 dialect (`legacy_serialization`): layer entries keep
 * only `class_name` and `config` (plus `name`/`inbound_nodes` in a Functional graph); nested
 * models are written the same way, all the way down.
 */
export function toLegacyModelConfig(spec: Config): Config {
  const config = { ...(spec.config as Config) };
  if (Array.isArray(config.layers)) {
    config.layers = (config.layers as Config[]).map((entry) => {
      const isModel = typeof entry.config === 'object' && entry.config != null && Array.isArray((entry.config as Config).layers);
      const out: Config = isModel ? toLegacyModelConfig(entry) : { class_name: entry.class_name, config: entry.config };
      if ('name' in entry) out.name = entry.name;
      if ('inbound_nodes' in entry) out.inbound_nodes = entry.inbound_nodes;
      return out;
    });
  }
  return { class_name: spec.class_name, config };
}

/**
 * Keras' `training_config` (legacy `model_metadata`): the compile arguments without the
 * optimizer, then `optimizer_config: {class_name, config}`. Null when the model is not compiled.
 */
export function trainingConfigOf(model: Model): Config | null {
  const cc = compileConfigOf(model);
  if (Object.keys(cc).length === 0) return null;
  const { optimizer, ...rest } = cc;
  const opt = optimizer as { class_name: string; registered_name: string | null; config: Config };
  return { ...rest, optimizer_config: { class_name: opt.registered_name ?? opt.class_name, config: opt.config } };
}

/**
 * `model.save('m.h5')` (Keras' `legacy_h5_format.save_model_to_hdf5`): root attributes
 * `keras_version`, `backend`, `model_config` (legacy-dialect JSON) and, when compiled,
 * `training_config`; the weights in `model_weights/` (the legacy weights layout).
 */
export async function writeLegacyH5Model(model: Model): Promise<Uint8Array> {
  const modelConfig = stringifyKerasJson(toLegacyModelConfig(modelToConfig(model)));
  const training = trainingConfigOf(model);
  return writeH5(async (root) => {
    // Same values as the `model_weights` group's attributes (part A's legacy weights writer).
    root.setStringAttr('keras_version', LEGACY_KERAS_VERSION);
    root.setStringAttr('backend', LEGACY_BACKEND);
    root.setStringAttr('model_config', modelConfig);
    if (training != null) root.setStringAttr('training_config', stringifyKerasJson(training));
    const group = root.createGroup('model_weights');
    await writeLegacyWeightsInto(group, model);
    if (training != null) await writeOptimizerWeights(root, optimizerVariables(model));
  });
}

function optimizerVariables(model: Model): Variable[] {
  return (model.optimizer?.variables ?? []) as Variable[];
}

/**
 * Keras' `save_optimizer_weights_to_hdf5_group`: group `optimizer_weights` with attr
 * `weight_names` (the variables' paths, `adam/iteration`, `adam/learning_rate`, slots...) and
 * one dataset per variable at that path. Skipped for an optimizer that was never built.
 */
async function writeOptimizerWeights(root: H5Group, variables: Variable[]): Promise<void> {
  if (variables.length === 0) return;
  const group = root.createGroup('optimizer_weights');
  const names = variables.map((v) => v.path);
  writeChunkedStringList(group, 'weight_names', names);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i]!;
    // Keras' iteration counter is int64; Strata's int32 values are written widened.
    const dtype = v.dtype === 'int32' ? (names[i]!.endsWith('iteration') ? 'int64' : 'int32') : 'float32';
    group.writeDataset(names[i]!, Array.from(await v.data()), v.shape, dtype);
  }
}

/**
 * Keras' `load_optimizer_weights_from_hdf5_group` + `optimizer.set_weights`: builds the
 * optimizer and reads its saved variables in order. Returns the staged values (assigned by the
 * caller once everything else loaded), or null with a warning when the saved state does not fit
 * this optimizer, as Keras warns and continues.
 */
function stageOptimizerWeights(root: H5Group, model: Model): Tensor[] | null {
  const group = root.getGroup('optimizer_weights');
  if (group == null || model.optimizer == null) return null;
  const names = readChunkedStringList(group, 'weight_names') ?? [];
  const optimizer = model.optimizer as unknown as { built?: boolean; build(v: Variable[]): void };
  if (!optimizer.built) optimizer.build(model.trainableWeights);
  const variables = optimizerVariables(model);
  if (names.length !== variables.length) {
    console.warn(`${root.file}: the saved optimizer state has ${names.length} variables, this optimizer has ${variables.length}; the optimizer starts fresh.`);
    return null;
  }
  const staged: Tensor[] = [];
  try {
    for (let i = 0; i < names.length; i++) {
      const arr = group.readDataset(names[i]!);
      const v = variables[i]!;
      if (arr == null) throw new FormatError(root.file, `optimizer_weights/${names[i]} is listed in weight_names but missing.`);
      if (arr.shape.join(',') !== v.shape.join(',')) {
        throw new FormatError(root.file, `optimizer_weights/${names[i]} has shape [${arr.shape.join(', ')}], the optimizer variable ${v.path} has [${v.shape.join(', ')}].`);
      }
      staged.push(datasetToTensor(arr, v.dtype, root.file, `optimizer_weights/${names[i]}`));
    }
  } catch (e) {
    for (const t of staged) t.dispose();
    throw e;
  }
  return staged;
}

/**
 * `keras.models.load_model('m.h5')`: the model from the root `model_config` (Keras 2 or 3
 * dialect; safe mode on by default), the weights from `model_weights/` (topological order, as
 * Keras), then `compile` from `training_config` unless `compile: false`. On failure nothing is
 * returned and the new model is disposed.
 */
export async function readLegacyH5Model(bytes: Uint8Array, opts: LegacyLoadOptions = {}): Promise<Model> {
  const file = opts.filename ?? '<memory>';
  const attrs = await readH5(bytes, file, (root) => ({
    modelConfig: root.stringAttr('model_config'),
    trainingConfig: root.stringAttr('training_config'),
    hasWeights: root.kind('model_weights') === 'group',
  }));
  if (attrs.modelConfig == null) {
    throw new FormatError(file, 'the HDF5 file has no `model_config` attribute: it holds weights only; build the model and call loadWeights instead.');
  }
  if (!attrs.hasWeights) throw new FormatError(file, 'the HDF5 file has a model_config but no `model_weights` group.');
  opts.onProgress?.(0.1);
  const spec = parseKerasJson(attrs.modelConfig, `${file}:model_config`) as Config;
  const model = modelFromConfig(spec, { ...opts, compile: false, filename: `${file}:model_config` });
  try {
    await readLegacyWeights(model, bytes, { group: 'model_weights', filename: file });
    if (opts.compile !== false && attrs.trainingConfig != null) {
      const training = parseKerasJson(attrs.trainingConfig, `${file}:training_config`) as Config;
      if (opts.safeMode !== false) assertSafeConfig(training, `${file}:training_config`, opts.customObjects);
      compileFromConfig(model, training, opts.customObjects);
      const staged = await readH5(bytes, file, (root) => stageOptimizerWeights(root, model));
      if (staged != null) {
        const variables = optimizerVariables(model);
        staged.forEach((t, i) => {
          variables[i]!.assign(t);
          t.dispose();
        });
      }
    }
  } catch (e) {
    model.dispose();
    if (e instanceof IoError) throw e;
    throw new FormatError(file, `cannot load the model: ${(e as Error).message}`, { cause: e });
  }
  opts.onProgress?.(1);
  return model;
}
