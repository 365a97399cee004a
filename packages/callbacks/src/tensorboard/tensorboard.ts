import { type Logs, ValueError, registerClass } from '@strata/core';
import { type BatchMode, Callback, type CallbackModel } from '../callback';
import { EventFileWriter, joinPath } from './event-file-writer';
import { histogramValue, scalarValue } from './events';
import { histogramBuckets } from './histogram';

export interface TensorBoardOptions {
  /** Directory the `train` and `validation` runs are written under. Default 'logs'. */
  logDir?: string;
  /** Epochs between weight histograms; 0 (the default) writes none. */
  histogramFreq?: number;
  /**
   * Accepted for compatibility, default true. Strata writes no graph: Keras' Python writes the
   * model's JSON config (and a TF graph), which have no counterpart here.
   */
  writeGraph?: boolean;
  /** Only false (the default) is supported: weight images are not written. */
  writeImages?: boolean;
  /** Also log `steps_per_second` per epoch (and `batch_steps_per_second` with batch updates). */
  writeStepsPerSecond?: boolean;
  /** 'epoch' (default), 'batch' (= 1), or N: write the batch logs every N training batches. */
  updateFreq?: 'batch' | 'epoch' | number;
  /** Only 0 (the default) is supported: profiling is not available. */
  profileBatch?: number | string | readonly number[];
  /** Only 0 (the default) is supported: the embedding projector is not written. */
  embeddingsFreq?: number;
  /** Keras' projector metadata; unused (embeddings are not written). */
  embeddingsMetadata?: string | Record<string, string> | null;
}

/** A weight as the histograms read it: a Strata `Variable` has this shape. */
interface WeightLike {
  readonly name: string;
  readonly path?: string;
  data?(): Promise<ArrayLike<number>>;
  dataSync?(): ArrayLike<number>;
}

interface LayerLike {
  readonly weights?: readonly WeightLike[];
}

/** A number, or the first element of a tensor/variable (read back asynchronously). */
async function readNumber(x: unknown): Promise<number | null> {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x != null && typeof x === 'object') {
    const t = x as { data?: () => Promise<ArrayLike<number>>; dataSync?: () => ArrayLike<number> };
    if (typeof t.data === 'function') return Number((await t.data())[0]);
    if (typeof t.dataSync === 'function') return Number(t.dataSync()[0]);
  }
  return null;
}

async function readValues(weight: WeightLike, where: string): Promise<ArrayLike<number>> {
  if (typeof weight.data === 'function') return weight.data();
  if (typeof weight.dataSync === 'function') return weight.dataSync();
  throw new ValueError(`TensorBoard: cannot read the values of weight ${where} (it has no data() or dataSync()).`);
}

/** Python's repr of the `profile_batch` values the error messages show. */
function reprProfileBatch(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  return String(v);
}

/** The seconds clock batch and epoch durations are measured with (sub-millisecond where available). */
function nowSeconds(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf != null ? perf.now() / 1000 : Date.now() / 1000;
}

/**
 * `keras.callbacks.TensorBoard`: writes TensorFlow event files that TensorBoard reads, under
 * `<logDir>/train` and `<logDir>/validation`:
 *
 * - at each epoch end, `epoch_<name>` scalars (step = epoch): the training logs and the optimizer's
 *   `learning_rate` (and `steps_per_second`) to `train`, the `val_` logs without the prefix to
 *   `validation`;
 * - with `updateFreq` 'batch' or N, `batch_<name>` scalars every N training batches (step = the
 *   1-based batch count over the whole `fit`) to `train`;
 * - at each test end (validation inside `fit`, or `evaluate`), `evaluation_<name>_vs_iterations`
 *   (step = the optimizer's iterations) to `validation`;
 * - every `histogramFreq` epochs, a histogram of every weight of `model.layers`, tagged
 *   `<weight path>/histogram`.
 *
 * Scalars and histograms use TF 2's summary encoding (scalars and histograms plugins; 30 buckets).
 * Files are appended to as training goes: queued records are flushed at every epoch end, test end
 * and train end (and whenever more than 10 wait). Needs a file system (Node, Bun, Deno).
 */
export class TensorBoard extends Callback {
  logDir: string;
  histogramFreq: number;
  writeGraph: boolean;
  writeImages: boolean;
  writeStepsPerSecond: boolean;
  /** Training batches between batch summaries ('batch' is stored as 1), or 'epoch'. */
  updateFreq: number | 'epoch';
  embeddingsFreq: number;
  embeddingsMetadata: string | Record<string, string> | null;

  private trainDir: string;
  private valDir: string;
  private writers = new Map<'train' | 'val', EventFileWriter>();
  /** Writers of a previous model, still being flushed. */
  private closing: Promise<void>[] = [];
  private globalTrainBatch = 0;
  private globalTestBatch = 0;
  private previousEpochIterations = 0;
  private epochStartTime = 0;
  private batchStartTime = 0;

  constructor(options: TensorBoardOptions = {}) {
    super();
    this.logDir = String(options.logDir ?? 'logs');
    const histogramFreq = options.histogramFreq ?? 0;
    if (!Number.isInteger(histogramFreq) || histogramFreq < 0) {
      throw new ValueError(`TensorBoard: histogramFreq must be a non-negative integer. Received: histogramFreq=${histogramFreq}`);
    }
    this.histogramFreq = histogramFreq;
    this.writeGraph = options.writeGraph ?? true;
    this.writeImages = options.writeImages ?? false;
    if (this.writeImages) {
      throw new ValueError('TensorBoard: writeImages=true is not supported (weight images are not written). Use writeImages=false.');
    }
    this.writeStepsPerSecond = options.writeStepsPerSecond ?? false;
    const updateFreq = options.updateFreq ?? 'epoch';
    if (updateFreq === 'batch') this.updateFreq = 1;
    else if (updateFreq === 'epoch') this.updateFreq = 'epoch';
    else if (typeof updateFreq === 'number' && Number.isInteger(updateFreq) && updateFreq > 0) this.updateFreq = updateFreq;
    else {
      throw new ValueError(
        `TensorBoard: updateFreq must be 'batch', 'epoch' or a positive integer. Received: updateFreq=${String(updateFreq)}`,
      );
    }
    this.embeddingsFreq = options.embeddingsFreq ?? 0;
    if (this.embeddingsFreq !== 0) {
      throw new ValueError(
        `TensorBoard: embeddings are not supported (no projector checkpoints are written). Received: embeddingsFreq=${this.embeddingsFreq} (must be 0)`,
      );
    }
    this.embeddingsMetadata = options.embeddingsMetadata ?? null;
    const profileBatch = options.profileBatch ?? 0;
    // Keras refuses any truthy `profile_batch` on backends without a profiler, then validates it.
    const truthy = typeof profileBatch === 'number' ? profileBatch !== 0 : profileBatch.length > 0;
    if (truthy) {
      throw new ValueError(
        "Profiling is not yet available with Strata. Received: profile_batch=" +
          `${reprProfileBatch(profileBatch)} (must be 0)`,
      );
    }
    if (profileBatch !== 0) {
      throw new ValueError(
        'profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of positive ' +
          `integers signifies a range of batches to profile. Found: ${reprProfileBatch(profileBatch)}`,
      );
    }
    this.trainDir = joinPath(this.logDir, 'train');
    this.valDir = joinPath(this.logDir, 'validation');
  }

  /** Where the training run is written (`<logDir>/train`). */
  get trainLogDir(): string {
    return this.trainDir;
  }

  /** Where the validation run is written (`<logDir>/validation`). */
  get validationLogDir(): string {
    return this.valDir;
  }

  /** Paths of the event files written so far by the current writers (null until first flushed). */
  get eventFiles(): { train: string | null; validation: string | null } {
    return { train: this.writers.get('train')?.path ?? null, validation: this.writers.get('val')?.path ?? null };
  }

  override setModel(model: CallbackModel): void {
    super.setModel(model);
    this.trainDir = joinPath(this.logDir, 'train');
    this.valDir = joinPath(this.logDir, 'validation');
    // A new model gets new files, as in Keras; what the old writers hold is still written.
    for (const w of this.writers.values()) this.closing.push(w.close().catch(() => undefined));
    this.writers.clear();
  }

  /** Keras reads batch logs only when it writes them (`updateFreq` not 'epoch'). */
  override needsBatchLogs(mode: BatchMode = 'train'): boolean {
    return mode === 'train' && this.updateFreq !== 'epoch';
  }

  private writer(kind: 'train' | 'val'): EventFileWriter {
    let w = this.writers.get(kind);
    if (w == null || w.isClosed) {
      w = new EventFileWriter(kind === 'train' ? this.trainDir : this.valDir);
      this.writers.set(kind, w);
    }
    return w;
  }

  private async settle(): Promise<void> {
    const pending = this.closing;
    this.closing = [];
    await Promise.all(pending);
  }

  private async flushAll(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.flush()));
  }

  override async onTrainBegin(_logs?: Logs): Promise<void> {
    await this.settle();
    this.globalTrainBatch = 0;
    this.previousEpochIterations = 0;
    // The file (with its version event) exists from the start of training, as with TF's writer.
    await this.writer('train').flush();
  }

  override async onTrainEnd(_logs?: Logs): Promise<void> {
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.all(writers.map((w) => w.close()));
  }

  override async onTestBegin(_logs?: Logs): Promise<void> {
    await this.settle();
    await this.writer('val').flush();
  }

  override async onTestEnd(logs?: Logs): Promise<void> {
    const optimizer = this.model?.optimizer as { iterations?: unknown } | null | undefined;
    if (optimizer != null && optimizer.iterations != null) {
      const step = await readNumber(optimizer.iterations);
      if (step != null) {
        const w = this.writer('val');
        for (const [name, value] of Object.entries(logs ?? {})) {
          w.addSummary(step, [scalarValue(`evaluation_${name}_vs_iterations`, value)]);
        }
      }
    }
    // Keras leaves this to TF's periodic flush; an `evaluate` outside `fit` has no later hook.
    await this.writer('val').flush();
  }

  override onTrainBatchBegin(_batch: number, _logs?: Logs): void {
    this.globalTrainBatch += 1;
    if (this.writeStepsPerSecond) this.batchStartTime = nowSeconds();
  }

  override onTrainBatchEnd(_batch: number, logs?: Logs): void | Promise<void> {
    // Batch summaries go to the writer `fit` makes the default one, which Keras only does when
    // `update_freq` is not 'epoch', and only on batches the frequency selects.
    if (this.updateFreq === 'epoch' || this.globalTrainBatch % this.updateFreq !== 0) return;
    const w = this.writer('train');
    const step = this.globalTrainBatch;
    if (this.writeStepsPerSecond) {
      const batchRunTime = nowSeconds() - this.batchStartTime;
      w.addSummary(step, [scalarValue('batch_steps_per_second', 1 / batchRunTime)]);
    }
    for (const [name, value] of Object.entries(logs ?? {})) w.addSummary(step, [scalarValue(`batch_${name}`, value)]);
    if (w.shouldFlush) return w.flush();
  }

  override onTestBatchBegin(_batch: number, _logs?: Logs): void {
    this.globalTestBatch += 1;
  }

  override async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {
    if (this.writeStepsPerSecond) {
      this.previousEpochIterations = Math.fround(await this.iterations());
      this.epochStartTime = nowSeconds();
    }
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    await this.logEpochMetrics(epoch, logs);
    if (this.histogramFreq && epoch % this.histogramFreq === 0) await this.logWeights(epoch);
    await this.flushAll();
  }

  /** The optimizer's step count; without one, the training batches seen in this `fit`. */
  private async iterations(): Promise<number> {
    const optimizer = this.model?.optimizer as { iterations?: unknown } | null | undefined;
    const value = optimizer?.iterations != null ? await readNumber(optimizer.iterations) : null;
    return value ?? this.globalTrainBatch;
  }

  /** The optimizer's current learning rate, as Keras reads it (a float32 value), or null. */
  private async learningRate(): Promise<number | null> {
    const optimizer = this.model?.optimizer;
    if (optimizer == null || !('learningRate' in optimizer)) return null;
    const lr = await readNumber(optimizer.learningRate);
    return lr == null ? null : Math.fround(lr);
  }

  private async stepsPerSecond(): Promise<number> {
    // Keras computes this in float32.
    const current = Math.fround(await this.iterations());
    const elapsed = Math.fround(nowSeconds() - this.epochStartTime);
    return Math.fround(Math.fround(current - this.previousEpochIterations) / elapsed);
  }

  private async logEpochMetrics(epoch: number, logs?: Logs): Promise<void> {
    if (logs == null || Object.keys(logs).length === 0) return;
    const trainLogs: Logs = {};
    const valLogs: Logs = {};
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith('val_')) valLogs[k] = v;
      else trainLogs[k] = v;
    }
    const lr = await this.learningRate();
    if (lr != null) trainLogs.learning_rate = lr;
    if (this.writeStepsPerSecond) trainLogs.steps_per_second = await this.stepsPerSecond();
    if (Object.keys(trainLogs).length > 0) {
      const w = this.writer('train');
      for (const [name, value] of Object.entries(trainLogs)) w.addSummary(epoch, [scalarValue(`epoch_${name}`, value)]);
    }
    if (Object.keys(valLogs).length > 0) {
      const w = this.writer('val');
      for (const [name, value] of Object.entries(valLogs)) {
        w.addSummary(epoch, [scalarValue(`epoch_${name.slice(4)}`, value)]);
      }
    }
  }

  private async logWeights(epoch: number): Promise<void> {
    const layers = (this.model as { layers?: unknown } | undefined)?.layers;
    if (!Array.isArray(layers)) {
      throw new ValueError(
        `TensorBoard: histogramFreq=${this.histogramFreq} needs the model's layers (\`model.layers\`), which this model does not have.`,
      );
    }
    const w = this.writer('train');
    for (const layer of layers as LayerLike[]) {
      for (const weight of layer.weights ?? []) {
        // Keras tags by the weight's path (unique across layers), with ':' made safe.
        const name = (weight.path ?? weight.name).replace(/:/g, '_');
        const values = await readValues(weight, name);
        w.addSummary(epoch, [histogramValue(`${name}/histogram`, histogramBuckets(values))]);
      }
    }
    await w.flush();
  }
}

registerClass('callback', TensorBoard, { module: 'keras.callbacks', className: 'TensorBoard' });
