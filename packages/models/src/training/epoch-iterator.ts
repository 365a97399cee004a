import { type SeedGenerator, type Tensor, ValueError, isTensor, random } from '@strata/core';
import { applyClassWeight, batchRanges, sampleCount, sliceRows, takeRows, toTensorSet } from './data';
import { type Dataset, closeIterator, datasetCardinality, disposeAll, openDataset, unpackBatch } from './dataset';

/** One batch ready for a step; `dispose` frees what the loop owns of it. */
export interface Batch {
  xs: Tensor[];
  ys: Tensor[];
  sw: Tensor | null;
  dispose(): void;
}

/** One pass over the data, read a batch at a time (`null` once it is exhausted). */
export interface BatchStream {
  next(): Promise<Batch | null>;
  close(): Promise<void>;
}

/** Where batches come from: tensors cut into batches, or a dataset. */
export interface BatchSource {
  /** Batches per pass: a count, `Infinity`, or `null` when unknown. */
  readonly numBatches: number | null;
  open(): BatchStream;
}

/** Batches of in-memory tensors; `shuffle` draws a new order for every pass. */
export class ArraySource implements BatchSource {
  readonly numBatches: number;
  private readonly n: number;

  constructor(
    private readonly xs: Tensor[],
    private readonly ys: Tensor[],
    private readonly sw: Tensor | null,
    private readonly batchSize: number,
    private readonly shuffle: boolean,
    private readonly seeds: SeedGenerator | null,
  ) {
    this.n = xs[0]!.shape[0]!;
    this.numBatches = Math.ceil(this.n / batchSize);
  }

  open(): BatchStream {
    const order = this.shuffle ? random.permutation(this.n, this.seeds ?? undefined) : null;
    const ranges = batchRanges(this.n, this.batchSize);
    let k = 0;
    return {
      next: async () => {
        const range = ranges[k++];
        if (range == null) return null;
        const [b0, b1] = range;
        const idx = order == null ? null : order.subarray(b0, b1);
        const take = (ts: Tensor[]) => (idx == null ? sliceRows(ts, b0, b1) : takeRows(ts, idx));
        const xs = take(this.xs);
        const ys = take(this.ys);
        const sw = this.sw == null ? null : take([this.sw])[0]!;
        return { xs, ys, sw, dispose: () => disposeAll(sw == null ? [...xs, ...ys] : [...xs, ...ys, sw]) };
      },
      close: async () => {},
    };
  }
}

export interface DatasetSourceOptions {
  /** Names of the model inputs, then outputs, for list/dict batches. */
  inputNames: string[];
  outputNames: string[];
  /** `predict` reads x only; `fit`/`evaluate` need `[x, y]` or `[x, y, sampleWeight]`. */
  forPredict: boolean;
  classWeight?: Record<number, number>;
  /** Names the argument in errors (`x`, `validationData`). */
  what: string;
}

/** Batches a dataset yields, converted to tensors; see `DatasetInfo.disposeBatches` for ownership. */
export class DatasetSource implements BatchSource {
  readonly numBatches: number | null;
  private readonly disposeYielded: boolean;

  constructor(
    private readonly ds: Dataset<unknown>,
    private readonly options: DatasetSourceOptions,
  ) {
    this.numBatches = datasetCardinality(ds, options.what);
    this.disposeYielded = ds.disposeBatches !== false;
  }

  open(): BatchStream {
    const it = openDataset(this.ds);
    let index = 0;
    return {
      next: async () => {
        const r = await it.next();
        if (r.done) return null;
        return this.toBatch(r.value, index++);
      },
      close: () => closeIterator(it),
    };
  }

  private toBatch(value: unknown, index: number): Batch {
    const { inputNames, outputNames, forPredict, what } = this.options;
    const label = `${what} (dataset batch ${index})`;
    const owned: Tensor[] = [];
    const yielded: Tensor[] = [];
    const convert = (data: unknown, names: string[], part: string): Tensor[] => {
      const set = toTensorSet(data as never, names, `${label} ${part}`);
      owned.push(...set.owned);
      for (const t of set.tensors) if (!set.owned.includes(t)) yielded.push(t);
      return set.tensors;
    };
    const dispose = () => disposeAll(this.disposeYielded ? [...owned, ...yielded] : owned);
    try {
      const parts = unpackBatch(value, forPredict);
      if (!forPredict && (parts.y == null || !Array.isArray(value))) {
        throw new ValueError(
          `${label}: each batch must be [x, y] or [x, y, sampleWeight] (x and y each a tensor, a list of tensors or a dict by name); got ${describe(value)}.`,
        );
      }
      const xs = convert(parts.x, inputNames, 'x');
      // predict ignores y and sample weights, but they were yielded for this step all the same.
      if (forPredict) yielded.push(...tensorsIn(parts.y), ...tensorsIn(parts.sampleWeight));
      const ys = forPredict ? [] : convert(parts.y, outputNames, 'y');
      let sw = !forPredict && parts.sampleWeight != null ? convert(parts.sampleWeight, ['sample_weight'], 'sampleWeight')[0]! : null;
      sampleCount(sw == null ? [xs, ys] : [xs, ys, [sw]], [`${label} x`, `${label} y`, `${label} sampleWeight`]);
      if (!forPredict && this.options.classWeight != null) {
        const extra: Tensor[] = [];
        sw = applyClassWeight(ys, sw, this.options.classWeight, extra);
        owned.push(...extra);
      }
      return { xs, ys, sw, dispose };
    } catch (e) {
      dispose();
      throw e;
    }
  }
}

/** The tensors of a data argument (a tensor, a list or a dict of them). */
function tensorsIn(data: unknown): Tensor[] {
  if (isTensor(data)) return [data];
  if (Array.isArray(data)) return data.filter((t): t is Tensor => isTensor(t));
  if (data != null && typeof data === 'object' && !ArrayBuffer.isView(data)) return Object.values(data).filter((t): t is Tensor => isTensor(t));
  return [];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length} item(s)`;
  if (value == null) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

/** One execution: `stepsPerExecution` batches (fewer at the end of an epoch), from step `begin`. */
export interface Execution {
  begin: number;
  batches: Batch[];
}

/**
 * Keras' `EpochIterator`: cuts the data into epochs and groups steps into executions.
 *
 * Without `stepsPerEpoch` every epoch is one fresh pass over the data. With it, the epoch takes
 * that many batches and the next epoch continues the same pass where this one stopped; a new
 * pass starts once a pass of known length is used up. If the data runs out before an epoch has
 * its `stepsPerEpoch` batches, Keras' "ran out of data" warning is printed and
 * `insufficientData` is set (the training loop then stops after this epoch).
 */
export class EpochIterator {
  private stream: BatchStream | null = null;
  private seen = 0;
  readonly numBatches: number | null;
  insufficientData = false;

  constructor(
    private readonly source: BatchSource,
    readonly stepsPerEpoch: number | null,
    readonly stepsPerExecution: number,
    /** Names the steps argument in errors (`stepsPerEpoch`, `validationSteps`, `steps`). */
    stepsArg: string,
    what: string,
  ) {
    this.numBatches = source.numBatches;
    if (stepsPerEpoch != null && (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1)) {
      throw new ValueError(`${what}: \`${stepsArg}\` must be a positive integer or null; got ${stepsPerEpoch}.`);
    }
    if (this.numBatches === Number.POSITIVE_INFINITY && stepsPerEpoch == null) {
      throw new ValueError(`${what}: the dataset is infinite (cardinality -2), so \`${stepsArg}\` is required to know where an epoch ends.`);
    }
  }

  /** Steps per epoch for the progress bar (`null` when unknown until the pass ends). */
  get steps(): number | null {
    if (this.stepsPerEpoch != null) return this.stepsPerEpoch;
    return this.numBatches != null && Number.isFinite(this.numBatches) ? this.numBatches : null;
  }

  /** The executions of one epoch. The caller disposes the batches it receives. */
  async *epoch(): AsyncGenerator<Execution> {
    const known = this.numBatches != null && Number.isFinite(this.numBatches) ? this.numBatches : null;
    const limit = this.stepsPerEpoch ?? known ?? Number.POSITIVE_INFINITY;
    if (this.stream == null || this.stepsPerEpoch == null) {
      await this.stream?.close();
      this.stream = this.source.open();
      this.seen = 0;
    }
    let step = 0;
    while (step < limit) {
      if (known != null && this.seen >= known) {
        if (this.stepsPerEpoch != null) this.ranOut();
        break;
      }
      const want = Math.min(this.stepsPerExecution, limit - step, known == null ? Number.POSITIVE_INFINITY : known - this.seen);
      const batches: Batch[] = [];
      let exhausted = false;
      try {
        while (batches.length < want) {
          const b = await this.stream!.next();
          if (b == null) {
            exhausted = true;
            break;
          }
          batches.push(b);
        }
      } catch (e) {
        for (const b of batches) b.dispose();
        throw e;
      }
      this.seen += batches.length;
      if (batches.length > 0) yield { begin: step, batches };
      step += batches.length;
      if (exhausted) {
        await this.stream?.close();
        this.stream = null;
        if (this.stepsPerEpoch != null) this.ranOut();
        break;
      }
    }
    if (known != null && this.seen >= known) {
      await this.stream?.close();
      this.stream = null;
    }
  }

  private ranOut(): void {
    this.insufficientData = true;
    console.warn(
      'Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at least ' +
        '`stepsPerEpoch * epochs` batches. You may need to make your dataset repeat.',
    );
  }

  /** Ends the current pass (lets a generator run its `finally`). */
  async close(): Promise<void> {
    await this.stream?.close();
    this.stream = null;
  }
}
