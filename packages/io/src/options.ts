import type { CustomObjects } from '@strata/core';

/** Options shared by every model loader (`loadModel`, `readKerasArchive`, `readLegacyH5Model`, `readTfjsModel`). */
export interface LoadOptions {
  /** Compile the model with the saved `compile_config` / training config when the file has one (Keras' default: true). */
  compile?: boolean;
  /** Refuse configs that would run arbitrary code, e.g. `Lambda` layers (Keras' default: true). */
  safeMode?: boolean;
  /** Extra classes/functions to resolve names in the config, as Keras' `custom_objects`. */
  customObjects?: CustomObjects;
  /** Called with a number in [0, 1] while bytes are fetched/read; reaches 1 when loading finishes. */
  onProgress?: (fraction: number) => void;
}

/** Options of `saveModel`. */
export interface SaveOptions {
  /** Overwrite an existing file (Keras' default: true). When false, saving to an existing path throws. */
  overwrite?: boolean;
  /** TF.js format only: weight quantization. */
  quantization?: 'float16' | 'uint8' | null;
  /** TF.js format only: maximum bytes per weight shard (tfjs default: 4 MiB). */
  shardSizeBytes?: number;
  /** Called with a number in [0, 1] while bytes are written/uploaded. */
  onProgress?: (fraction: number) => void;
}

/** Options of `loadWeights`. */
export interface LoadWeightsOptions {
  /** Legacy `.h5` only: match layers by name instead of by order (Keras' `by_name`). */
  byName?: boolean;
  /** Skip layers whose weight count or shapes do not match instead of throwing (Keras' `skip_mismatch`). */
  skipMismatch?: boolean;
  /** Called with a number in [0, 1] while bytes are fetched. */
  onProgress?: (fraction: number) => void;
}

/** Options of `saveWeights`. */
export interface SaveWeightsOptions {
  /** Overwrite an existing file (Keras' default: true). */
  overwrite?: boolean;
  /** Keras' `max_shard_size`: write sharded `.weights.json` + `.weights.h5` shards of at most this many GB each. */
  maxShardSize?: number;
}
