import { type Tensor, ValueError, isTensor } from '@strata/core';
import { getFile } from './weights';

/** Keras' ImageNet class index: `{"0": ["n01440764", "tench"], ...}` (1000 entries). */
export type ClassIndex = Record<string, [wnid: string, name: string]>;

/** Where Keras gets the class index (keras/src/applications/imagenet_utils.py) and its md5. */
export const CLASS_INDEX_URL = 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json';
export const CLASS_INDEX_MD5 = 'c2c37ea517e94d9795004a39431a14cb';

let cachedIndex: ClassIndex | null = null;

/**
 * Keras' class index, read once: from the Strata cache (`$STRATA_HOME/models`), else the Keras
 * cache (`~/.keras/models/imagenet_class_index.json`), else downloaded from Keras' URL and
 * checked against Keras' md5, as `keras.applications.imagenet_utils.decode_predictions` does.
 */
export async function loadClassIndex(): Promise<ClassIndex> {
  if (cachedIndex == null) {
    const file = await getFile('imagenet_class_index.json', CLASS_INDEX_URL, { fileHash: CLASS_INDEX_MD5, cacheSubdir: 'models', progress: false });
    cachedIndex = JSON.parse(new TextDecoder().decode(file.bytes)) as ClassIndex;
  }
  return cachedIndex;
}

/** Options of `decodePredictions`. */
export interface DecodePredictionsOptions {
  /** Use this class index instead of Keras' file (e.g. one bundled with an app). */
  classIndex?: ClassIndex;
}

/**
 * `keras.applications.imagenet_utils.decode_predictions`: for each row of `preds` (shape
 * `[samples, 1000]`), the `top` classes with the highest scores as `[wnid, name, score]`, best
 * first. On exactly equal scores the higher class index comes first (numpy's default argsort
 * is not stable, so Keras may order such ties either way).
 */
export async function decodePredictions(
  preds: Tensor | ArrayLike<number>[],
  top = 5,
  options: DecodePredictionsOptions = {},
): Promise<[string, string, number][][]> {
  let rows: number[][];
  let shape: number[];
  if (isTensor(preds)) {
    shape = [...(preds as Tensor).shape];
    rows = shape.length === 2 ? ((await (preds as Tensor).array()) as number[][]) : [];
  } else {
    rows = (preds as ArrayLike<number>[]).map((r) => Array.from(r));
    shape = [rows.length, ...(rows.length > 0 && rows.every((r) => r.length === rows[0]!.length) ? [rows[0]!.length] : [-1])];
  }
  if (shape.length !== 2 || shape[1] !== 1000) {
    throw new ValueError(
      `\`decode_predictions\` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). Received array with shape: (${shape.join(', ')})`,
    );
  }
  if (!Number.isInteger(top) || top < 1) throw new ValueError(`decodePredictions: \`top\` must be a positive integer; Received: top=${top}`);
  const index = options.classIndex ?? (await loadClassIndex());
  return rows.map((row) => {
    // Keras: argsort ascending, keep the last `top`, reverse. Ties: higher index first.
    const order = row.map((_, i) => i).sort((a, b) => row[a]! - row[b]! || a - b);
    const picked = order.slice(-top).reverse();
    const result = picked.map((i): [string, string, number] => {
      const entry = index[String(i)];
      if (entry == null) throw new ValueError(`decodePredictions: the class index has no entry for class ${i}.`);
      return [entry[0], entry[1], row[i]!];
    });
    return result.sort((a, b) => b[2] - a[2]);
  });
}

/** Forgets the loaded class index (tests). */
export function resetClassIndexCache(): void {
  cachedIndex = null;
}
