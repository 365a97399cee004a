import { type Tensor, ValueError, isTensor, tensor } from '@strata/core';
import { Dataset, INFINITE_CARDINALITY } from '../dataset/dataset';
import { type ArrayInput, type HostArray, gatherRows, toHostArray } from './host-array';
import { pythonRound, pythonShuffle, randomSeed } from './random-state';

export interface SplitDatasetOptions {
  /** A fraction in (0, 1) or a count of samples for the left split; defaults to the complement of `rightSize`. */
  leftSize?: number | null;
  /** A fraction in (0, 1) or a count of samples for the right split; defaults to the complement of `leftSize`. */
  rightSize?: number | null;
  /** Whether to shuffle the samples before splitting (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle (Python's `random.seed(seed); random.shuffle(...)`, reproduced exactly). */
  seed?: number | null;
}

const WHO = 'splitDataset';

/**
 * Keras' `_rescale_dataset_split_sizes`: turns fractions (non-integers) and counts (integers) into
 * two sample counts. A fraction is rounded with Python's `round` (half to even).
 */
export function rescaleSplitSizes(leftSize: number | null | undefined, rightSize: number | null | undefined, total: number): [number, number] {
  const kind = (v: number | null | undefined, name: string): 'int' | 'float' | null => {
    if (v == null) return null;
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new ValueError(`${WHO}: invalid \`${name}\` type. Expected: int or float or null, Received: ${name}=${String(v)}.`);
    }
    return Number.isInteger(v) ? 'int' : 'float';
  };
  const lk = kind(leftSize, 'left_size');
  const rk = kind(rightSize, 'right_size');
  if (leftSize === 0 && rightSize === 0) {
    throw new ValueError(`${WHO}: both \`left_size\` and \`right_size\` are zero. At least one of the split sizes must be non-zero.`);
  }
  if ((lk === 'int' && (leftSize! <= 0 || leftSize! >= total)) || (lk === 'float' && (leftSize! <= 0 || leftSize! >= 1))) {
    throw new ValueError(
      `${WHO}: \`left_size\` should be either a positive integer smaller than ${total}, or a float within the range \`[0, 1]\`. Received: left_size=${leftSize}`,
    );
  }
  if ((rk === 'int' && (rightSize! <= 0 || rightSize! >= total)) || (rk === 'float' && (rightSize! <= 0 || rightSize! >= 1))) {
    throw new ValueError(
      `${WHO}: \`right_size\` should be either a positive integer and smaller than ${total} or a float within the range \`[0, 1]\`. Received: right_size=${rightSize}`,
    );
  }
  if (lk === 'float' && rk === 'float' && leftSize! + rightSize! > 1) {
    throw new ValueError(`${WHO}: the sum of \`left_size\` and \`right_size\` is greater than 1. It must be less than or equal to 1.`);
  }
  let left = lk === 'float' ? pythonRound(leftSize! * total) : (leftSize ?? null);
  let right = rk === 'float' ? pythonRound(rightSize! * total) : (rightSize ?? null);
  if (left == null) left = total - right!;
  else if (right == null) right = total - left;
  if (left + right! > total) {
    throw new ValueError(
      `${WHO}: the sum of \`left_size\` and \`right_size\` should be smaller than the ${total}. Received: left_size + right_size = ${left + right!} and total_length = ${total}`,
    );
  }
  for (const [size, side] of [
    [left, 'left'],
    [right!, 'right'],
  ] as const) {
    if (size === 0) {
      throw new ValueError(
        `${WHO}: with \`dataset\` of length=${total}, \`left_size\`=${left} and \`right_size\`=${right}. Resulting ${side} side dataset split will be empty. Adjust any of the aforementioned parameters.`,
      );
    }
  }
  return [left, right!];
}

/** One sample of a dataset element kept on the host, so that the split datasets own no tensors. */
type HostLeaf = { kind: 'tensor'; value: HostArray } | { kind: 'plain'; value: unknown };
type HostTree = HostLeaf | HostTree[] | { [k: string]: HostTree };

const isDict = (x: unknown): x is Record<string, unknown> =>
  x != null && typeof x === 'object' && !isTensor(x) && !Array.isArray(x) && !ArrayBuffer.isView(x) && Object.getPrototypeOf(x) === Object.prototype;

function toHostTree(x: unknown): HostTree {
  if (isTensor(x)) return { kind: 'tensor', value: toHostArray(x, WHO, 'dataset') };
  if (Array.isArray(x)) return x.map(toHostTree);
  if (isDict(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toHostTree(v)])) as HostTree;
  return { kind: 'plain', value: x };
}

function fromHostTree(x: HostTree): unknown {
  if (Array.isArray(x)) return x.map(fromHostTree);
  if ('kind' in x && (x.kind === 'tensor' || x.kind === 'plain') && 'value' in x) {
    const leaf = x as HostLeaf;
    return leaf.kind === 'tensor' ? tensor(leaf.value.values as never, leaf.value.shape, leaf.value.dtype) : leaf.value;
  }
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromHostTree(v as HostTree)]));
}

function disposeTree(x: unknown): void {
  if (isTensor(x)) (x as Tensor).dispose();
  else if (Array.isArray(x)) x.forEach(disposeTree);
  else if (isDict(x)) Object.values(x).forEach(disposeTree);
}

/**
 * `keras.utils.split_dataset`: splits a finite `Dataset`, one array/tensor, or a list of arrays
 * with the same length (one sample = one row of each) into a left and a right `Dataset`.
 * The left split gets the first `leftSize` samples and the right split the LAST `rightSize` ones
 * (samples in between are dropped when both are given and do not add up to the total).
 *
 * Samples are copied to the host (a dataset's element tensors are disposed after reading), and each
 * pass over a split builds new tensors that the reader owns. Unlike Keras, a batched input dataset
 * is split by element (Strata datasets do not record that they were batched): rebatch the splits.
 */
export async function splitDataset(
  dataset: Dataset<unknown> | ArrayInput | readonly ArrayInput[],
  options: SplitDatasetOptions = {},
): Promise<[Dataset<unknown>, Dataset<unknown>]> {
  const { leftSize = null, rightSize = null, shuffle = false } = options;
  if (leftSize == null && rightSize == null) {
    throw new ValueError(`${WHO}: at least one of the \`left_size\` or \`right_size\` must be specified. Received: left_size=None and right_size=None`);
  }
  let samples: (() => unknown)[];
  if (dataset instanceof Dataset) {
    if (dataset.cardinality === INFINITE_CARDINALITY) throw new ValueError(`${WHO}: the dataset is infinite (cardinality -2); it cannot be split.`);
    const trees: HostTree[] = [];
    for await (const el of dataset) {
      try {
        trees.push(toHostTree(el));
      } finally {
        disposeTree(el);
      }
    }
    samples = trees.map((t) => () => fromHostTree(t));
  } else {
    const isColumnList =
      Array.isArray(dataset) && dataset.length > 0 && dataset.every((c) => isTensor(c) || c instanceof Float32Array || c instanceof Int32Array);
    if (isColumnList) {
      const cols = (dataset as ArrayInput[]).map((c, i) => toHostArray(c, WHO, `dataset[${i}]`));
      const n = cols[0]!.shape[0] ?? 0;
      cols.forEach((c, i) => {
        if ((c.shape[0] ?? 0) !== n) {
          throw new ValueError(
            `${WHO}: received a list of arrays with different lengths. Mismatch found at index ${i}: expected length ${n}, received shape ${JSON.stringify(c.shape)}.`,
          );
        }
      });
      samples = Array.from({ length: n }, (_, r) => () => cols.map((c) => gatherRows(c, [r], true)));
    } else {
      const a = toHostArray(dataset as ArrayInput, WHO, 'dataset');
      samples = Array.from({ length: a.shape[0] ?? 0 }, (_, r) => () => gatherRows(a, [r], true));
    }
  }
  if (samples.length === 0) {
    throw new ValueError(`${WHO}: received an empty dataset. Argument \`dataset\` must be a non-empty array, list of arrays or Dataset.`);
  }
  if (shuffle) pythonShuffle(samples, options.seed ?? randomSeed());
  const [left, right] = rescaleSplitSizes(leftSize, rightSize, samples.length);
  const leftSamples = samples.slice(0, left);
  const rightSamples = samples.slice(samples.length - right);
  const make = (part: (() => unknown)[]) =>
    Dataset.fromGenerator(
      function* () {
        for (const s of part) yield s();
      },
      { cardinality: part.length },
    );
  return [make(leftSamples), make(rightSamples)];
}
