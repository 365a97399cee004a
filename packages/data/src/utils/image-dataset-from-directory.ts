import { type Tensor, ValueError, tensor } from '@strata/core';
import { type DirectoryDataset, type DirectoryDatasetCommon, directoryDataset } from './directory-dataset';
import type { DirectoryListing } from './file-list';
import { IMAGE_FORMATS, type ImageInterpolation, decodeImage, resizeImage } from './image-io';

export interface ImageDatasetOptions extends DirectoryDatasetCommon {
  /** 'grayscale' (1 channel), 'rgb' (3, default) or 'rgba' (4). */
  colorMode?: 'grayscale' | 'rgb' | 'rgba';
  /** `[height, width]` (or one number for both) to resize to; default `[256, 256]`. */
  imageSize?: number | readonly [number, number];
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: string;
  /** Crop the central window of the target aspect ratio before resizing. */
  cropToAspectRatio?: boolean;
  /** Resize to fit, then pad with zeros to the target size. */
  padToAspectRatio?: boolean;
}

const WHO = 'imageDatasetFromDirectory';
const KERAS_INTERPOLATIONS = ['bilinear', 'nearest', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'];

/** One element: the image, or `[image, label]`; batched when `batchSize` is not null. */
export type ImageElement = Tensor | [Tensor, Tensor];

/**
 * `keras.utils.image_dataset_from_directory`: a dataset of float32 images `[h, w, channels]`
 * (batched to `[b, h, w, channels]`) and their labels, read from `directory/<class>/...` (Node),
 * or in a browser from a listing standing for the directory: the `File`s of an
 * `<input type="file" webkitdirectory>`, or `{ path: 'cats/001.png', source: url | Blob }` entries.
 * File order, shuffling and the validation split follow Keras exactly (see `indexDirectory`): the
 * files are sorted, permuted with the seed, then split, so 'training' and 'validation' partition
 * them. PNG and JPEG are decoded everywhere (JPEG by the browser's own decoder in a browser);
 * BMP and GIF need the browser's decoder.
 * Resolves to one dataset, or `[training, validation]` with `subset: 'both'`.
 */
export async function imageDatasetFromDirectory(
  directory: string | DirectoryListing,
  options: ImageDatasetOptions = {},
): Promise<DirectoryDataset<ImageElement> | [DirectoryDataset<ImageElement>, DirectoryDataset<ImageElement>]> {
  const { colorMode = 'rgb', cropToAspectRatio = false, padToAspectRatio = false } = options;
  const channels = ({ grayscale: 1, rgb: 3, rgba: 4 } as const)[colorMode as 'rgb'];
  if (channels == null) {
    throw new ValueError(`${WHO}: \`color_mode\` must be one of {"rgb", "rgba", "grayscale"}. Received: color_mode=${String(colorMode)}`);
  }
  let size = options.imageSize ?? [256, 256];
  if (typeof size === 'number') size = [size, size];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`${WHO}: invalid \`image_size\` value. Expected a tuple of 2 positive integers. Received: image_size=${JSON.stringify(size)}`);
  }
  const [h, w] = size as [number, number];
  const interpolation = (options.interpolation ?? 'bilinear').toLowerCase();
  if (!KERAS_INTERPOLATIONS.includes(interpolation)) {
    throw new ValueError(`${WHO}: argument \`interpolation\` should be one of (${KERAS_INTERPOLATIONS.join(', ')}). Received: interpolation=${interpolation}`);
  }
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new ValueError(`${WHO}: \`interpolation="${interpolation}"\` is not supported in Strata's image loader yet; use "bilinear" or "nearest".`);
  }
  if (cropToAspectRatio && padToAspectRatio) {
    throw new ValueError(`${WHO}: only one of \`pad_to_aspect_ratio\`, \`crop_to_aspect_ratio\` can be set to \`True\`.`);
  }
  const load = async (path: string, read: (path: string) => Promise<Uint8Array>): Promise<Tensor> => {
    const bytes = await read(path);
    const img = await decodeImage(bytes, channels, path);
    const out = resizeImage(img, h, w, { interpolation: interpolation as ImageInterpolation, cropToAspectRatio, padToAspectRatio });
    return tensor(out.data instanceof Float32Array ? out.data : Float32Array.from(out.data), [h, w, channels], 'float32');
  };
  return directoryDataset<Tensor>(WHO, directory, options, IMAGE_FORMATS, 'images', load) as Promise<
    DirectoryDataset<ImageElement> | [DirectoryDataset<ImageElement>, DirectoryDataset<ImageElement>]
  >;
}
