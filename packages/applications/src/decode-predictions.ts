import { type Tensor, ValueError, isTensor } from '@strata/core';

/** Keras' ImageNet class index: `{"0": ["n01440764", "tench"], ...}` (1000 entries). */
export type ClassIndex = Record<string, [wnid: string, name: string]>;

/**
 * Where Keras downloads the class index (keras/src/applications/imagenet_utils.py) and its md5.
 * Strata ships the same index (src/imagenet-class-index.ts, built by
 * scripts/build-class-index.mjs, which checks that it serializes to a file with this md5), so
 * nothing is downloaded; these stay for reference and for users who fetch the file themselves.
 */
export const CLASS_INDEX_URL = 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json';
export const CLASS_INDEX_MD5 = 'c2c37ea517e94d9795004a39431a14cb';

let cachedIndex: ClassIndex | null = null;

/**
 * Keras' class index, as `keras.applications.imagenet_utils.decode_predictions` uses it: the copy
 * shipped in this package (no network). Imported on first use, so code that never decodes
 * predictions does not load it.
 */
export async function loadClassIndex(): Promise<ClassIndex> {
  if (cachedIndex == null) cachedIndex = (await import('./imagenet-class-index')).IMAGENET_CLASS_INDEX;
  return cachedIndex;
}

/** Options of `decodePredictions`. */
export interface DecodePredictionsOptions {
  /** Use this class index instead of the shipped ImageNet one (e.g. a model fine-tuned on other classes). */
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
