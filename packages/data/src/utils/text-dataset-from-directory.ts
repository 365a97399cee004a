import { type Tensor, ValueError } from '@strata/core';
import { type DirectoryDataset, type DirectoryDatasetCommon, directoryDataset } from './directory-dataset';
import type { DirectoryListing } from './file-list';

export interface TextDatasetOptions extends DirectoryDatasetCommon {
  /** Keep at most this many BYTES of each file (as `tf.strings.substr`); default all. */
  maxLength?: number | null;
}

const WHO = 'textDatasetFromDirectory';

/** One element: the text, or `[text, label]`; batched (a string tensor) when `batchSize` is not null. */
export type TextElement = string | Tensor | [string | Tensor, Tensor];

/**
 * `keras.utils.text_dataset_from_directory`: a dataset of the texts of the `.txt` files under
 * `directory/<class>/...` (Node; in a browser, a listing of `File`s or `{ path, source }` entries
 * as for `imageDatasetFromDirectory`) and their labels. Unbatched elements are strings; batches are
 * string tensors `[b]`. File order, shuffling and splitting follow Keras exactly (see
 * `indexDirectory`). Resolves to one dataset, or `[training, validation]` with `subset: 'both'`.
 */
export async function textDatasetFromDirectory(
  directory: string | DirectoryListing,
  options: TextDatasetOptions = {},
): Promise<DirectoryDataset<TextElement> | [DirectoryDataset<TextElement>, DirectoryDataset<TextElement>]> {
  const { maxLength = null } = options;
  if (maxLength != null && (!Number.isInteger(maxLength) || maxLength < 0)) {
    throw new ValueError(`${WHO}: \`max_length\` must be a non-negative integer or null. Received: max_length=${maxLength}`);
  }
  const decoder = new TextDecoder('utf-8');
  const load = async (path: string, read: (path: string) => Promise<Uint8Array>): Promise<string> => {
    const bytes = await read(path);
    return decoder.decode(maxLength == null ? bytes : bytes.subarray(0, maxLength));
  };
  return directoryDataset<string>(WHO, directory, options, ['.txt'], 'text files', load) as Promise<
    DirectoryDataset<TextElement> | [DirectoryDataset<TextElement>, DirectoryDataset<TextElement>]
  >;
}
