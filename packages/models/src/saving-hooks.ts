import { RuntimeError } from '@strata/core';
import type { Model } from './model';

/**
 * What `model.save`, `model.saveWeights`, `model.loadWeights` and `loadModel` delegate to.
 * `@strata/io` registers its implementation when it is imported; `@strata/models` itself does not
 * depend on it (io depends on models, so the link goes through this registry instead).
 */
export interface ModelSaving {
  save(model: Model, filepath: string, options?: Record<string, unknown>): Promise<void>;
  saveWeights(model: Model, filepath: string, options?: Record<string, unknown>): Promise<void>;
  loadWeights(model: Model, filepath: string, options?: Record<string, unknown>): Promise<void>;
  loadModel?(source: unknown, options?: Record<string, unknown>): Promise<Model>;
}

let registered: ModelSaving | null = null;

/** Installs the file formats behind `model.save()` & co. Called by `@strata/io` on import; the last call wins. */
export function registerModelSaving(impl: ModelSaving | null): void {
  registered = impl;
}

/** Whether a saving implementation is registered (i.e. `@strata/io` has been imported). */
export function hasModelSaving(): boolean {
  return registered != null;
}

/** The registered implementation; throws a clear error naming `@strata/io` when there is none. */
export function modelSaving(what: string): ModelSaving {
  if (registered == null) {
    throw new RuntimeError(
      `${what} needs the file formats of @strata/io: add the dependency and \`import '@strata/io'\` (or \`import 'strata'\`) once before saving or loading.`,
    );
  }
  return registered;
}

/**
 * `keras.models.load_model`: loads a `.keras`, legacy `.h5` or TF.js model (file path, URL,
 * browser storage key or bytes). Requires `@strata/io` to have been imported.
 */
export async function loadModel(source: unknown, options?: Record<string, unknown>): Promise<Model> {
  const impl = modelSaving('loadModel');
  if (impl.loadModel == null) throw new RuntimeError('loadModel: the registered saving implementation has no loadModel; import @strata/io.');
  return impl.loadModel(source, options);
}
