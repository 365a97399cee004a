import { type Tensor, ValueError, tensor } from '@strata/core';
import { Dataset } from '../dataset/dataset';
import { type DirectoryListing, isDirectoryListing, readListedFile, toFileMap } from './file-list';
import { type DirectoryLabels, checkValidationSplitArg, getTrainingOrValidationSplit, indexDirectory, listingDirectoryView } from './index-directory';

/** How labels are encoded: int32 scalars, one-hot float32 vectors, float32 `[1]` 0/1, or none. */
export type LabelMode = 'int' | 'categorical' | 'binary' | null;

/** A dataset made from a directory, with the attributes Keras sets on it. */
export type DirectoryDataset<T> = Dataset<T> & {
  /** Class names in label order (`null` without labels). */
  classNames: string[] | null;
  /** The files of this dataset in Keras' order (before the per-epoch shuffle buffer). */
  filePaths: string[];
};

/** The label of one sample as a tensor (Keras' `labels_to_dataset`). */
export function encodeLabel(label: number, mode: Exclude<LabelMode, null>, numClasses: number): Tensor {
  if (mode === 'int') return tensor([label], [], 'int32');
  if (mode === 'binary') return tensor([label], [1], 'float32');
  const v = new Float32Array(numClasses);
  if (label >= 0 && label < numClasses) v[label] = 1;
  return tensor(v, [numClasses], 'float32');
}

export interface DirectoryDatasetCommon {
  labels?: DirectoryLabels;
  labelMode?: LabelMode;
  classNames?: readonly string[] | null;
  batchSize?: number | null;
  shuffle?: boolean;
  seed?: number | null;
  validationSplit?: number | null;
  subset?: 'training' | 'validation' | 'both' | null;
  followLinks?: boolean;
}

/**
 * The shared body of `imageDatasetFromDirectory` and `textDatasetFromDirectory`: checks, indexes,
 * splits, then builds `(path, label)` -> shuffle buffer (`batchSize * 8`, training only) ->
 * `load` -> batch, as Keras' `paths_and_labels_to_dataset`.
 */
export async function directoryDataset<X>(
  who: string,
  directory: string | DirectoryListing,
  options: DirectoryDatasetCommon,
  formats: readonly string[],
  formatText: string,
  load: (path: string, read: (path: string) => Promise<Uint8Array>) => Promise<X>,
): Promise<DirectoryDataset<X | [X, Tensor]> | [DirectoryDataset<X | [X, Tensor]>, DirectoryDataset<X | [X, Tensor]>]> {
  let { labels = 'inferred', labelMode = 'int' } = options;
  const { classNames = null, batchSize = 32, shuffle = true, validationSplit = null, subset = null, followLinks = false } = options;
  let seed = options.seed ?? null;
  const listed = isDirectoryListing(directory) ? toFileMap(directory, who) : null;
  if (listed == null && (typeof directory !== 'string' || directory === '')) {
    throw new ValueError(
      `${who}: \`directory\` must be a non-empty path string, or (in a browser) a list of File objects or { path, source } entries. Received: ${String(directory)}`,
    );
  }
  // What error messages call the directory.
  const where = listed == null ? (directory as string) : `<listing of ${listed.size} files>`;
  const read = listed == null ? (p: string) => readFileBytes(p, who) : (p: string) => readListedFile(listed, p, who);
  if (labels !== 'inferred' && labels !== null) {
    if (!Array.isArray(labels)) {
      throw new ValueError(
        `${who}: \`labels\` argument should be a list/tuple of integer labels, of the same size as the number of files in the target directory. If you wish to infer the labels from the subdirectory names in the target directory, pass \`labels="inferred"\`. If you wish to get a dataset that only contains files (no labels), pass \`labels=None\`. Received: labels=${String(labels)}`,
      );
    }
    if (classNames && classNames.length > 0) {
      throw new ValueError(`${who}: you can only pass \`class_names\` if \`labels="inferred"\`. Received: labels=${JSON.stringify(labels)}, and class_names=${JSON.stringify(classNames)}`);
    }
  }
  if (!['int', 'categorical', 'binary', null].includes(labelMode)) {
    throw new ValueError(`${who}: \`label_mode\` argument must be one of "int", "categorical", "binary", or None. Received: label_mode=${String(labelMode)}`);
  }
  if (labels === null || labelMode === null) {
    labels = null;
    labelMode = null;
  }
  if (batchSize != null && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new ValueError(`${who}: \`batch_size\` must be a positive integer or null. Received: batch_size=${batchSize}`);
  }
  checkValidationSplitArg(validationSplit, subset, shuffle, seed, who);
  seed ??= Math.floor(Math.random() * 1e6);
  const indexed = await indexDirectory(listed == null ? (directory as string) : '', labels, formats, {
    classNames,
    shuffle,
    seed,
    followLinks,
    who,
    view: listed == null ? undefined : listingDirectoryView(listed),
  });
  const names = indexed.classNames;
  if (labelMode === 'binary' && names?.length !== 2) {
    throw new ValueError(`${who}: when passing \`label_mode="binary"\`, there must be exactly 2 class_names. Received: class_names=${JSON.stringify(names)}`);
  }
  const numClasses = names ? names.length : 0;
  const bufferSize = batchSize != null ? batchSize * 8 : 1024;
  const mode = labelMode;

  const build = (paths: string[], labs: number[] | null, shuffleIt: boolean): DirectoryDataset<X | [X, Tensor]> => {
    const pairs = paths.map((p, i) => [p, labs ? labs[i]! : -1] as [string, number]);
    let ds: Dataset<[string, number]> = Dataset.fromGenerator(() => pairs, { cardinality: pairs.length });
    if (shuffleIt) ds = ds.shuffle(bufferSize, { seed });
    let loaded: Dataset<X | [X, Tensor]> = ds.map(async ([p, l]: [string, number]) => {
      const x = await load(p, read);
      return mode == null ? x : ([x, encodeLabel(l, mode, numClasses)] as [X, Tensor]);
    });
    if (batchSize != null) loaded = loaded.batch(batchSize);
    return Object.assign(loaded, { classNames: names ? [...names] : null, filePaths: paths });
  };

  if (subset === 'both') {
    const [trainPaths, trainLabels] = getTrainingOrValidationSplit(indexed.filePaths, indexed.labels, validationSplit, 'training', who);
    const [valPaths, valLabels] = getTrainingOrValidationSplit(indexed.filePaths, indexed.labels, validationSplit, 'validation', who);
    if (trainPaths.length === 0) throw new ValueError(`${who}: no training ${formatText} found in directory ${where}. Allowed formats: ${formats.join(', ')}`);
    if (valPaths.length === 0) throw new ValueError(`${who}: no validation ${formatText} found in directory ${where}. Allowed formats: ${formats.join(', ')}`);
    return [build(trainPaths, trainLabels, shuffle), build(valPaths, valLabels, false)];
  }
  const [paths, labs] = getTrainingOrValidationSplit(indexed.filePaths, indexed.labels, validationSplit, subset, who);
  if (paths.length === 0) throw new ValueError(`${who}: no ${formatText} found in directory ${where}. Allowed formats: ${formats.join(', ')}`);
  return build(paths, labs, shuffle);
}

/** Reads a whole (small) file from disk in Node. */
export async function readFileBytes(path: string, who: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises').catch(() => null);
  // Bundlers for the browser resolve node: modules to empty stubs rather than failing.
  if (typeof fs?.readFile !== 'function') {
    throw new ValueError(`${who}: cannot read file ${path}: local files need Node's file system; in a browser, list the files as File objects or { path, source } entries.`);
  }
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new ValueError(`${who}: cannot read file ${path}: ${(e as Error).message}`);
  }
}
