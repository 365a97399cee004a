// @strata/io: Keras model files (.keras, .weights.h5, legacy .h5), the TF.js layers format, and
// where they live (file system, http, browser storage, memory). Importing it wires
// `model.save()`, `model.saveWeights()`, `model.loadWeights()` and `models.loadModel()`.
import { registerModelSaving } from '@strata/models';
import { loadModel, loadWeights, saveModel, saveWeights } from './api';
import type { LoadOptions, LoadWeightsOptions, SaveOptions, SaveWeightsOptions } from './options';

export { IoError, FormatError, UnsafeConfigError, MEMORY_SOURCE } from './errors';
export type { LoadOptions, SaveOptions, LoadWeightsOptions, SaveWeightsOptions } from './options';
export {
  saveModel,
  loadModel,
  saveWeights,
  loadWeights,
  sniffFormat,
  type SaveTarget,
  type LoadSource,
  type TfjsArtifacts,
  type SniffedFormat,
} from './api';
export type { FileStore, Location, StoredFile, WriteOptions } from './handlers/types';
export { FileSystemStore, type FsLike } from './handlers/file-system';
export { HttpStore, type HttpStoreOptions, type FetchLike } from './handlers/http';
export { IndexedDBStore, type IndexedDBStoreOptions } from './handlers/indexed-db';
export { LocalStorageStore, type StorageLike } from './handlers/local-storage';
export { DownloadsStore, type DownloadEnvironment } from './handlers/downloads';
export { MemoryStore } from './handlers/memory';
export { resolveLocation, type FileFormat } from './handlers/resolve';
export { writeKerasWeights, readKerasWeights } from './weights/keras-weights';
export { writeLegacyWeights, readLegacyWeights } from './weights/legacy-weights';
export { writeKerasArchive, readKerasArchive } from './keras/archive';
export { modelToConfig, modelFromConfig, modelToJSON, modelFromJSON } from './keras/config';
export { writeLegacyH5Model, readLegacyH5Model } from './legacy/h5-model';
export { writeTfjsModel, readTfjsModel, DEFAULT_SHARD_SIZE_BYTES, type TfjsModelJson, type WriteTfjsOptions, type ReadTfjsOptions, toKeras2Topology, fromKeras2Topology, keras2HardSigmoid, halfToFloat, floatToHalf, affineQuantize, type TfjsWeightSpec, type TfjsQuantization } from './tfjs/index';

registerModelSaving({
  async save(model, filepath, options) {
    await saveModel(model, filepath, options as SaveOptions | undefined);
  },
  async saveWeights(model, filepath, options) {
    await saveWeights(model, filepath, options as SaveWeightsOptions | undefined);
  },
  async loadWeights(model, filepath, options) {
    await loadWeights(model, filepath, options as LoadWeightsOptions | undefined);
  },
  loadModel(source, options) {
    return loadModel(source as Parameters<typeof loadModel>[0], options as LoadOptions | undefined);
  },
});
