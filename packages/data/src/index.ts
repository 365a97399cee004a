// tf.data-style pipelines.
export { Dataset, AUTOTUNE, UNKNOWN_CARDINALITY, INFINITE_CARDINALITY } from './dataset/dataset';
export type { GeneratorSource } from './dataset/iterate';
export type { Sliceable, SliceElement, NestedValues } from './dataset/slices';
export type { PaddedShape } from './dataset/padded-batch';

// Sources (tf.data readers).
export { textLineDataset } from './sources/text-line-dataset';
export { makeCsvDataset, type MakeCsvDatasetOptions, type CsvDtype, type CsvColumnDefault, type CsvBatch } from './sources/make-csv-dataset';

// Keras dataset utilities (keras.utils).
export { imageDatasetFromDirectory, type ImageDatasetOptions, type ImageElement } from './utils/image-dataset-from-directory';
export { textDatasetFromDirectory, type TextDatasetOptions, type TextElement } from './utils/text-dataset-from-directory';
export { timeseriesDatasetFromArray, type TimeseriesDatasetOptions, type TimeseriesElement } from './utils/timeseries-dataset-from-array';
export { splitDataset, type SplitDatasetOptions } from './utils/split-dataset';
export { padSequences, type PadSequencesOptions, type SequenceStep } from './utils/pad-sequences';
export { normalize, type NormalizeOptions } from './utils/normalize';
export type { DirectoryDataset, LabelMode } from './utils/directory-dataset';
export type { DirectoryEntry, DirectoryListing } from './utils/file-list';
