import type { Config } from '@strata/core';
import type { Model } from '@strata/models';
import { FormatError, IoError } from '../errors';
import type { LoadOptions } from '../options';
import { readKerasWeights, writeKerasWeights } from '../weights/keras-weights';
import { modelFromConfig, modelToConfig, parseKerasJson, stringifyKerasJson } from './config';
import { readZip, writeZip } from './zip';

/** The Keras version written to `metadata.json` (the format Strata's archives follow). */
export const KERAS_VERSION = '3.15.1';

/** Options of `readKerasArchive`, plus the file name used in error messages. */
export interface ArchiveLoadOptions extends LoadOptions {
  filename?: string;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Keras' `date_saved`: local time as `%Y-%m-%d@%H:%M:%S`. */
function dateSaved(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * `model.save('x.keras')`: a ZIP with, in Keras' order and STORED, `metadata.json`
 * (`{"keras_version", "date_saved"}`, as Keras writes it), `config.json` (the Keras 3 model
 * config, `json.dumps` style) and `model.weights.h5` (Keras 3 weights, incl. optimizer vars).
 */
export async function writeKerasArchive(model: Model): Promise<Uint8Array> {
  const now = new Date();
  const metadata = stringifyKerasJson({ keras_version: KERAS_VERSION, date_saved: dateSaved(now) });
  const config = stringifyKerasJson(modelToConfig(model));
  const weights = await writeKerasWeights(model);
  return writeZip(
    [
      ['metadata.json', encoder.encode(metadata)],
      ['config.json', encoder.encode(config)],
      ['model.weights.h5', weights],
    ],
    // Keras writes the two JSON members with ZipFile.writestr (1980-01-01) and the weights file
    // with ZipFile.write (its modification time).
    { 'model.weights.h5': now },
  );
}

function jsonMember(members: Map<string, Uint8Array>, name: string, file: string): unknown {
  const bytes = members.get(name)!;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (e) {
    throw new FormatError(file, `${name} inside the archive is not UTF-8 text.`, { cause: e });
  }
  return parseKerasJson(text, `${file}/${name}`);
}

/**
 * `keras.saving.load_model('x.keras')`: rebuilds the model from `config.json` (safe mode on by
 * default), loads `model.weights.h5` into it (optimizer variables too when the model is
 * compiled from its `compile_config`). Nothing is returned half-loaded: on any failure the new
 * model is disposed and a `FormatError` naming the file (and member) is thrown.
 */
export async function readKerasArchive(bytes: Uint8Array, opts: ArchiveLoadOptions = {}): Promise<Model> {
  const file = opts.filename ?? '<memory>';
  if (!(bytes instanceof Uint8Array)) throw new FormatError(file, 'expected the bytes of a .keras archive (a Uint8Array).');
  const members = readZip(bytes, file);
  if (!members.has('config.json')) throw new FormatError(file, 'the archive has no config.json; it is not a Keras 3 .keras file.');
  if (!members.has('model.weights.h5')) {
    if (members.has('model.weights.npz')) {
      throw new FormatError(file, 'the archive stores its weights as model.weights.npz (pickled numpy), which cannot be read; re-save it with the default .weights.h5 format.');
    }
    throw new FormatError(file, 'the archive has no model.weights.h5.');
  }
  opts.onProgress?.(0.1);
  const config = jsonMember(members, 'config.json', file) as Config;
  const model = modelFromConfig(config, { ...opts, filename: `${file}/config.json` });
  try {
    // Keras builds the optimizer when compiling from config, so `optimizer/vars` load with the rest.
    if (model.optimizer != null && !(model.optimizer as { built?: boolean }).built) {
      (model.optimizer as unknown as { build(v: unknown[]): void }).build(model.trainableWeights);
    }
    opts.onProgress?.(0.3);
    await readKerasWeights(model, members.get('model.weights.h5')!, { filename: `${file}/model.weights.h5` });
  } catch (e) {
    model.dispose();
    if (e instanceof IoError) throw e;
    throw new FormatError(file, `cannot load model.weights.h5: ${(e as Error).message}`, { cause: e });
  }
  opts.onProgress?.(1);
  return model;
}
