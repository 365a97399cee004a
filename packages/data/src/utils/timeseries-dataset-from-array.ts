import { type Tensor, ValueError, tensor } from '@strata/core';
import { Dataset } from '../dataset/dataset';
import { type ArrayInput, type HostArray, rowSize, toHostArray } from './host-array';
import { numpyShuffle, randomSeed } from './random-state';

export interface TimeseriesDatasetOptions {
  /** Period between the starts of successive windows (default 1). */
  sequenceStride?: number;
  /** Period between the timesteps inside one window (default 1). */
  samplingRate?: number;
  /** Windows per batch (default 128); `null` yields single windows. */
  batchSize?: number | null;
  /** Whether to shuffle the windows (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle. */
  seed?: number | null;
  /** Timesteps before this index (exclusive) are not used. */
  startIndex?: number | null;
  /** Timesteps from this index on are not used. */
  endIndex?: number | null;
}

/** A window dataset element: the windows, or `[windows, targets]` when targets were given. */
export type TimeseriesElement = Tensor | [Tensor, Tensor];

const WHO = 'timeseriesDatasetFromArray';

/**
 * The start positions of the windows, relative to `startIndex`, as Keras computes them (before any
 * shuffle): `0, stride, 2 stride, ...` below `end - start - (sequenceLength - 1) * samplingRate`
 * (and below `targets.length` when targets are given).
 */
export function timeseriesStartPositions(
  numTargets: number | null,
  sequenceLength: number,
  sequenceStride: number,
  samplingRate: number,
  startIndex: number,
  endIndex: number,
): number[] {
  let numSeqs = endIndex - startIndex - (sequenceLength - 1) * samplingRate;
  if (numTargets != null) numSeqs = Math.min(numSeqs, numTargets);
  const out: number[] = [];
  for (let p = 0; p < numSeqs; p += sequenceStride) out.push(p);
  return out;
}

/**
 * `keras.utils.timeseries_dataset_from_array`: a dataset of sliding windows over `data` (axis 0 is
 * time). Window `i` holds `data[start + p_i + k * samplingRate]` for `k < sequenceLength`, with
 * `p_i = i * sequenceStride`; its target is `targets[start + p_i]`. Yields `[windows, targets]`
 * batches (or only windows when `targets` is `null`). Windows keep the dtype of `data`.
 *
 * With `shuffle`, the start positions are permuted as Keras does with NumPy (`RandomState(seed)`,
 * reproduced exactly), then the windows pass through a shuffle buffer of `batchSize * 8` (1024
 * unbatched) seeded with `seed`, whose order is Strata's own (tf.data's RNG is not reproduced).
 */
export function timeseriesDatasetFromArray(data: ArrayInput, targets: null, sequenceLength: number, options?: TimeseriesDatasetOptions): Dataset<Tensor>;
export function timeseriesDatasetFromArray(
  data: ArrayInput,
  targets: ArrayInput,
  sequenceLength: number,
  options?: TimeseriesDatasetOptions,
): Dataset<[Tensor, Tensor]>;
export function timeseriesDatasetFromArray(
  data: ArrayInput,
  targets: ArrayInput | null,
  sequenceLength: number,
  options?: TimeseriesDatasetOptions,
): Dataset<TimeseriesElement>;
export function timeseriesDatasetFromArray(
  data: ArrayInput,
  targets: ArrayInput | null,
  sequenceLength: number,
  options: TimeseriesDatasetOptions = {},
): Dataset<TimeseriesElement> {
  const { sequenceStride = 1, samplingRate = 1, batchSize = 128, shuffle = false } = options;
  let { seed = null, startIndex = null, endIndex = null } = options;
  const x = toHostArray(data, WHO, 'data');
  const n = x.shape[0] ?? 0;
  if (!Number.isInteger(sequenceLength) || sequenceLength < 1) {
    throw new ValueError(`${WHO}: \`sequence_length\` must be a positive integer. Received: sequence_length=${sequenceLength}`);
  }
  // Keras checks `if start_index:`, so 0 skips the checks (and means the same as null).
  if (startIndex) {
    if (startIndex < 0) throw new ValueError(`${WHO}: \`start_index\` must be 0 or greater. Received: start_index=${startIndex}`);
    if (startIndex >= n) {
      throw new ValueError(`${WHO}: \`start_index\` must be lower than the length of the data. Received: start_index=${startIndex}, for data of length ${n}`);
    }
  }
  if (endIndex) {
    if (startIndex && endIndex <= startIndex) {
      throw new ValueError(`${WHO}: \`end_index\` must be higher than \`start_index\`. Received: start_index=${startIndex}, and end_index=${endIndex}`);
    }
    if (endIndex >= n) {
      throw new ValueError(`${WHO}: \`end_index\` must be lower than the length of the data. Received: end_index=${endIndex}, for data of length ${n}`);
    }
    if (endIndex <= 0) throw new ValueError(`${WHO}: \`end_index\` must be higher than 0. Received: end_index=${endIndex}`);
  }
  if (samplingRate <= 0) throw new ValueError(`${WHO}: \`sampling_rate\` must be higher than 0. Received: sampling_rate=${samplingRate}`);
  if (samplingRate >= n) {
    throw new ValueError(`${WHO}: \`sampling_rate\` must be lower than the length of the data. Received: sampling_rate=${samplingRate}, for data of length ${n}`);
  }
  if (sequenceStride <= 0) throw new ValueError(`${WHO}: \`sequence_stride\` must be higher than 0. Received: sequence_stride=${sequenceStride}`);
  if (sequenceStride >= n) {
    throw new ValueError(`${WHO}: \`sequence_stride\` must be lower than the length of the data. Received: sequence_stride=${sequenceStride}, for data of length ${n}`);
  }
  if (batchSize != null && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new ValueError(`${WHO}: \`batch_size\` must be a positive integer or null. Received: batch_size=${batchSize}`);
  }
  const y: HostArray | null = targets == null ? null : toHostArray(targets, WHO, 'targets');
  startIndex ??= 0;
  endIndex ??= n;
  const positions = timeseriesStartPositions(y ? (y.shape[0] ?? 0) : null, sequenceLength, sequenceStride, samplingRate, startIndex, endIndex);
  if (shuffle) {
    seed ??= randomSeed();
    numpyShuffle(positions, seed);
  }
  const xRow = rowSize(x);
  const yRow = y ? rowSize(y) : 0;
  const windowShape = [sequenceLength, ...x.shape.slice(1)];
  const start = startIndex;

  // Builds the tensors of a group of windows from the host copy (one copy per batch).
  const build = (group: number[], single: boolean): TimeseriesElement => {
    const Ctor = x.dtype === 'int32' ? Int32Array : Float32Array;
    const w = new Ctor(group.length * sequenceLength * xRow);
    const src = x.values as Float32Array | Int32Array;
    group.forEach((p, i) => {
      for (let k = 0; k < sequenceLength; k++) {
        const row = start + p + k * samplingRate;
        w.set(src.subarray(row * xRow, (row + 1) * xRow), (i * sequenceLength + k) * xRow);
      }
    });
    const windows = tensor(w, single ? windowShape : [group.length, ...windowShape], x.dtype as 'float32' | 'int32');
    if (!y) return windows;
    const YCtor = y.dtype === 'int32' ? Int32Array : Float32Array;
    const t = new YCtor(group.length * yRow);
    const ysrc = y.values as Float32Array | Int32Array;
    group.forEach((p, i) => {
      t.set(ysrc.subarray((start + p) * yRow, (start + p + 1) * yRow), i * yRow);
    });
    const tshape = y.shape.slice(1);
    return [windows, tensor(t, single ? tshape : [group.length, ...tshape], y.dtype as 'float32' | 'int32')];
  };

  let order = Dataset.fromGenerator(() => positions, { cardinality: positions.length });
  if (shuffle) order = order.shuffle(batchSize != null ? batchSize * 8 : 1024, { seed });
  const card = batchSize == null ? positions.length : Math.ceil(positions.length / batchSize);
  return Dataset.fromGenerator<TimeseriesElement>(
    async function* () {
      let group: number[] = [];
      for await (const p of order) {
        if (batchSize == null) {
          yield build([p], true);
          continue;
        }
        group.push(p);
        if (group.length === batchSize) {
          const g = group;
          group = [];
          yield build(g, false);
        }
      }
      if (group.length > 0) yield build(group, false);
    },
    { cardinality: card },
  );
}
