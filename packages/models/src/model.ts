import {
  type Config,
  type CustomObjects,
  type KerasTensor,
  type Logs,
  type OptimizerLike,
  RuntimeError,
  type Shape,
  type Tensor,
  ValueError,
  isKerasTensor,
  isTensor,
  keep,
  nextFrame,
  ops,
  registerClass,
  SeedGenerator,
  tidy,
  variableGrads,
} from '@strata/core';
import { type Callback, CallbackList, type History } from '@strata/callbacks';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '@strata/layers';
import * as optimizers from '@strata/optimizers';
import { functionalConfig, graphFromConfig } from './functional-config';
import { type Graph, mapGraph, runGraph } from './functional-graph';
import { printSummary, type SummaryOptions } from './summary';
import { CompiledLoss, type LossIdentifier, type MetricsSpec, type PerOutput } from './training/compile';
import { type DataInput, applyClassWeight, batchRanges, sampleCount, sliceRows, toTensorSet } from './training/data';
import { type Dataset, type DatasetBatch, type PredictBatch, disposeAll, isDataset } from './training/dataset';
import { hasModelSaving, modelSaving } from './saving-hooks';
import { ArraySource, type Batch, DatasetSource, EpochIterator } from './training/epoch-iterator';

export interface ModelArgs extends LayerArgs {
  inputs?: KerasTensor | KerasTensor[];
  outputs?: KerasTensor | KerasTensor[];
}

export type OptimizerIdentifier = Parameters<typeof optimizers.get>[0];

export interface CompileArgs {
  optimizer?: OptimizerIdentifier;
  loss?: PerOutput<LossIdentifier>;
  /**
   * Metrics updated without sample weights. One output: a list. Several outputs: a dict by output
   * name, or a list with one entry (a metric or a list of metrics) per output, as in Keras.
   */
  metrics?: MetricsSpec;
  /** Metrics updated with the sample weights (and class weights); same forms as `metrics`. */
  weightedMetrics?: MetricsSpec;
  lossWeights?: PerOutput<number>;
  /**
   * Keras' `steps_per_execution`: steps run between two batch-end callbacks (and so between two
   * reads of the metrics back to the host). Default 1.
   */
  stepsPerExecution?: number;
}

/** The validation data of `fit`: `[x, y]`, `[x, y, sampleWeight]` or a dataset of such batches. */
export type ValidationData = [DataInput, DataInput] | [DataInput, DataInput, DataInput] | Dataset<DatasetBatch>;

export interface FitArgs {
  /** Samples per batch for array data (default 32); ignored for a dataset, which yields batches. */
  batchSize?: number;
  epochs?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  callbacks?: Callback[];
  /** Fraction of array data held out (the last samples); not supported for a dataset. */
  validationSplit?: number;
  validationData?: ValidationData;
  /** Shuffle array data each pass (default true); a dataset is expected to shuffle itself. */
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  /** Per-sample weights of array data; a dataset yields them as the third item of a batch. */
  sampleWeight?: DataInput;
  initialEpoch?: number;
  /** Seed of the per-epoch shuffles (reproducible runs). */
  seed?: number;
  /**
   * Batches per epoch (default: one full pass). The next epoch continues the same pass; when the
   * data runs out first, Keras' "ran out of data" warning is printed and training stops after
   * that epoch.
   */
  stepsPerEpoch?: number | null;
  /** Batches per validation run (default: one full pass over the validation data). */
  validationSteps?: number | null;
  validationBatchSize?: number;
  validationFreq?: number;
}

export interface EvaluateArgs {
  /** Samples per batch for array data (default 32); ignored for a dataset. */
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  sampleWeight?: DataInput;
  callbacks?: Callback[];
  /** Batches to evaluate (default: all). */
  steps?: number | null;
}

export interface PredictArgs {
  /** Samples per batch for array data (default 32); ignored for a dataset. */
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  /** Batches to predict from a dataset (default: all). */
  steps?: number | null;
  /** Callbacks of a dataset prediction. */
  callbacks?: Callback[];
}

/**
 * keras.Model. Three ways to make one, as in Keras:
 * - Functional: `new Model({ inputs, outputs })` from `Input()` and layer calls;
 * - subclassing: `class M extends Model { call(x) { ... } }` with layers as properties;
 * - `Sequential` (a subclass).
 * Training: `compile`, then `fit`/`evaluate`/`predict` (+ the `*OnBatch` forms).
 */
export class Model extends Layer {
  static override className = 'Model';

  /** Symbolic inputs/outputs of a Functional model. */
  inputs: KerasTensor[] = [];
  outputs: KerasTensor[] = [];
  protected graph: Graph | null = null;

  optimizer: OptimizerLike | null = null;
  compiledLoss: CompiledLoss | null = null;
  /** Set by callbacks (EarlyStopping) to end `fit` after the current batch. */
  stopTraining = false;
  /** The History of the last `fit` (set by the callbacks). */
  history: History | null = null;
  /**
   * Epoch to resume from, set by a callback in `onTrainBegin` (BackupAndRestore, as Keras'
   * `model._initial_epoch`); `fit` reads it right after `onTrainBegin` and resets it to null.
   */
  initialEpoch: number | null = null;
  /** Keras' `steps_per_execution` of `compile`. */
  stepsPerExecution = 1;
  private compileArgs: CompileArgs | null = null;

  constructor(args: ModelArgs = {}) {
    super(args);
    if (args.inputs != null || args.outputs != null) this.initGraph(args.inputs, args.outputs);
  }

  /** Makes this a Functional model over `inputs` -> `outputs`. */
  protected initGraph(inputs: KerasTensor | KerasTensor[] | undefined, outputs: KerasTensor | KerasTensor[] | undefined): void {
    if (inputs == null || outputs == null) throw new ValueError(`Model "${this.name}": pass both \`inputs\` and \`outputs\`.`);
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    for (const t of [...ins, ...outs]) {
      if (!isKerasTensor(t)) throw new ValueError(`Model "${this.name}": inputs and outputs must be symbolic tensors from keras.Input() and layer calls.`);
    }
    this.inputs = ins;
    this.outputs = outs;
    this.graph = mapGraph(ins, outs);
    this.callOutputIsList = outs.length > 1;
    this.built = true;
    this.buildInputShape = ins.length === 1 ? [...ins[0]!.shape] : ins.map((t) => [...t.shape]);
  }

  /** Whether this model runs a Functional graph (also true for built Sequential models). */
  get isFunctional(): boolean {
    return this.graph != null;
  }

  /** The model's layers: graph order for Functional models, property order for subclasses. */
  get layers(): Layer[] {
    if (this.graph != null) return this.graph.layers;
    return super.sublayers;
  }

  override get sublayers(): Layer[] {
    return this.layers;
  }

  /** Finds a layer by name or index (Keras `get_layer`). */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    const layer = typeof nameOrIndex === 'number' ? layers[nameOrIndex] : layers.find((l) => l.name === nameOrIndex);
    if (layer == null) {
      throw new ValueError(`Model "${this.name}" has no layer ${JSON.stringify(nameOrIndex)}; layers: ${layers.map((l) => l.name).join(', ')}.`);
    }
    return layer;
  }

  get inputNames(): string[] {
    return this.inputs.map((t) => (t.kerasHistory!.operation as Layer).name);
  }

  get outputNames(): string[] {
    return this.outputs.map((t) => (t.kerasHistory!.operation as Layer).name);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): LayerOutput {
    if (this.graph == null) {
      throw new RuntimeError(
        `Model "${this.name}" has no graph: pass { inputs, outputs } to the constructor, or subclass Model and implement call().`,
      );
    }
    const values = Array.isArray(inputs) ? inputs : [inputs];
    if (values.length !== this.inputs.length) {
      throw new ValueError(`Model "${this.name}" expects ${this.inputs.length} input(s) (${this.inputNames.join(', ')}), but it received ${values.length}.`);
    }
    const outs = runGraph(this.graph, this.inputs, this.outputs, values, args.training ?? false);
    return outs.length === 1 ? outs[0]! : outs;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    if (this.graph != null && this.inputs.length > 0) {
      const given = (this.inputs.length === 1 ? [inputShape] : inputShape) as Shape[];
      const same = given.every((s, i) => s.length === this.inputs[i]!.shape.length && s.every((d, j) => j === 0 || d === this.inputs[i]!.shape[j]));
      if (same) {
        const shapes = this.outputs.map((t) => [...t.shape]);
        return shapes.length === 1 ? shapes[0]! : shapes;
      }
    }
    return super.computeOutputShape(inputShape);
  }

  // ------------------------------------------------------------------ compile

  compile(args: CompileArgs = {}): void {
    const spe = args.stepsPerExecution ?? 1;
    if (!Number.isInteger(spe) || spe < 1) {
      throw new ValueError(`compile: \`stepsPerExecution\` must be a positive integer; got ${spe}.`);
    }
    this.optimizer = optimizers.get(args.optimizer ?? 'rmsprop');
    this.compileArgs = args;
    this.stepsPerExecution = spe;
    // Losses and metrics are resolved on the first batch, when the target shapes are known.
    this.compiledLoss = null;
  }

  get isCompiled(): boolean {
    return this.compileArgs != null;
  }

  /** Metric objects of `compile` (plus the loss trackers' names in logs). */
  get metricsNames(): string[] {
    return this.compiledLoss?.results().map(([k, t]) => {
      t.dispose();
      return k;
    }) ?? [];
  }

  private outputInfo(): { names: string[]; shapes: Shape[] } {
    if (this.outputs.length > 0) return { names: this.outputNames, shapes: this.outputs.map((t) => t.shape) };
    const shape = this.buildInputShape != null ? this.computeOutputShape(this.buildInputShape) : [];
    const shapes = (Array.isArray(shape[0]) ? shape : [shape]) as Shape[];
    return { names: shapes.length === 1 ? ['output'] : shapes.map((_, i) => `output_${i + 1}`), shapes };
  }

  private buildCompiledLoss(ys?: Tensor[]): CompiledLoss {
    if (this.compiledLoss != null) return this.compiledLoss;
    if (this.compileArgs == null) throw new RuntimeError(`Model "${this.name}" must be compiled before training or evaluation: call model.compile({ optimizer, loss }).`);
    const { names, shapes } = this.outputInfo();
    const a = this.compileArgs;
    const yShapes = ys?.map((t) => [...t.shape] as Shape);
    this.compiledLoss = new CompiledLoss(names, shapes, a.loss, a.lossWeights, a.metrics, yShapes, a.weightedMetrics);
    return this.compiledLoss;
  }

  private requireCompiled(ys?: Tensor[]): { loss: CompiledLoss; optimizer: OptimizerLike } {
    if (this.optimizer == null || this.compileArgs == null) {
      throw new RuntimeError(`Model "${this.name}" must be compiled before training or evaluation: call model.compile({ optimizer, loss }).`);
    }
    return { loss: this.buildCompiledLoss(ys), optimizer: this.optimizer };
  }

  /** Names for the model's inputs when data comes as a dict or list. */
  private inputKeys(): string[] {
    return this.inputs.length > 0 ? this.inputNames : ['input'];
  }

  private outputKeys(): string[] {
    return this.outputs.length > 0 ? this.outputNames : this.outputInfo().names;
  }

  /** x, y and sample weights as tensors with matching sample counts; new tensors go to `owned`. */
  private toData(x: DataInput, y: DataInput, sampleWeight: DataInput | undefined, owned: Tensor[], what = '') {
    const xset = toTensorSet(x, this.inputKeys(), `${what}x`);
    owned.push(...xset.owned);
    const yset = toTensorSet(y, this.outputKeys(), `${what}y`);
    owned.push(...yset.owned);
    let sw: Tensor | null = null;
    if (sampleWeight != null) {
      const s = toTensorSet(sampleWeight, ['sample_weight'], `${what}sampleWeight`);
      owned.push(...s.owned);
      sw = s.tensors[0]!;
    }
    const sets = sw == null ? [xset.tensors, yset.tensors] : [xset.tensors, yset.tensors, [sw]];
    const n = sampleCount(sets, [`${what}x`, `${what}y`, `${what}sampleWeight`]);
    return { xs: xset.tensors, ys: yset.tensors, sw, n };
  }

  private forward(xs: Tensor[], training: boolean): Tensor[] {
    const out = this.apply((xs.length === 1 ? xs[0]! : xs) as Tensor, { training });
    return Array.isArray(out) ? out : [out];
  }

  /** Builds a subclassed/Sequential model from its first batch so compile-time metadata exists. */
  private ensureBuilt(xs: Tensor[]): void {
    if (this.built) return;
    tidy(() => {
      this.forward(xs.map((t) => ops.slice(t, t.shape.map(() => 0), [Math.min(1, t.shape[0]!), ...t.shape.slice(1)])), false);
    });
  }

  // ------------------------------------------------------------------ steps

  /** One optimizer step on a batch; returns the batch loss (a scalar the caller owns). */
  protected trainStep(xs: Tensor[], ys: Tensor[], sampleWeight: Tensor | null): void {
    const { loss, optimizer } = this.requireCompiled(ys);
    const variables = this.trainableWeights;
    tidy(() => {
      let yPred: Tensor[] = [];
      let perOutput: (Tensor | null)[] = [];
      const compute = () => {
        yPred = this.forward(xs, true);
        const r = loss.compute(ys, yPred, sampleWeight);
        perOutput = r.perOutput;
        let total = r.total;
        const extra = this.losses;
        if (extra.length > 0) total = ops.add(total, ops.sum(ops.stack(extra.map((l) => ops.reshape(l, [])))));
        // The forward pass runs in its own scope; keep what the metrics still need.
        for (const t of yPred) keep(t);
        for (const t of perOutput) if (t != null) keep(t);
        return total as Tensor & { rank: 0 };
      };
      let totalLoss: Tensor;
      if (variables.length > 0) {
        const { value, grads } = variableGrads(compute as () => never, variables);
        optimizer.apply(grads, variables);
        totalLoss = value;
      } else {
        totalLoss = compute();
      }
      const batch = xs[0]!.shape[0]!;
      loss.lossTracker.update(totalLoss, batch);
      loss.outputs.forEach((o, i) => {
        o.lossTracker?.update(perOutput[i]!, batch);
      });
      loss.updateMetrics(ys, yPred, sampleWeight);
      for (const t of yPred) t.dispose();
      for (const t of perOutput) t?.dispose();
    });
  }

  protected testStep(xs: Tensor[], ys: Tensor[], sampleWeight: Tensor | null): void {
    const { loss } = this.requireCompiled(ys);
    tidy(() => {
      const yPred = this.forward(xs, false);
      const r = loss.compute(ys, yPred, sampleWeight);
      let total = r.total;
      const extra = this.losses;
      if (extra.length > 0) total = ops.add(total, ops.sum(ops.stack(extra.map((l) => ops.reshape(l, [])))));
      const batch = xs[0]!.shape[0]!;
      loss.lossTracker.update(total, batch);
      loss.outputs.forEach((o, i) => {
        o.lossTracker?.update(r.perOutput[i]!, batch);
      });
      loss.updateMetrics(ys, yPred, sampleWeight);
    });
  }

  /** Reads the current metric values back to the host. */
  private async readLogs(prefix = ''): Promise<Logs> {
    const results = this.compiledLoss!.results();
    const values = await Promise.all(results.map(([, t]) => t.data()));
    results.forEach(([, t]) => {
      t.dispose();
    });
    const logs: Logs = {};
    results.forEach(([k], i) => {
      logs[prefix + k] = values[i]![0]!;
    });
    return logs;
  }

  resetMetrics(): void {
    this.compiledLoss?.reset();
  }

  // ------------------------------------------------------------------ fit / evaluate / predict

  /**
   * Trains the model, in one of Keras' two forms:
   * - `fit(x, y, args)`: tensors or (nested) arrays; a list or a dict by name for several
   *   inputs/outputs; cut into `batchSize` batches, shuffled each pass unless `shuffle: false`;
   * - `fit(dataset, args)`: a sync or async iterable of `[x, y]` or `[x, y, sampleWeight]` batches,
   *   iterated anew every epoch (see `Dataset`). Tensors it yields belong to the loop once yielded
   *   and are disposed after the step that used them, unless the dataset sets
   *   `disposeBatches: false` (see `DatasetInfo`). `batchSize` is ignored, as in Keras;
   *   `sampleWeight` and `validationSplit` are refused.
   *
   * With `stepsPerExecution` N (compile), the batch-begin hook gets the first step of each group
   * of N and the batch-end hook the last one, with the metrics after the group.
   */
  async fit(dataset: Dataset<DatasetBatch>, args?: FitArgs): Promise<History>;
  async fit(x: DataInput, y: DataInput, args?: FitArgs): Promise<History>;
  async fit(x: DataInput | Dataset<DatasetBatch>, yOrArgs?: DataInput | FitArgs, maybeArgs?: FitArgs): Promise<History> {
    this.requireCompiled();
    const fromDataset = isDataset(x);
    if (fromDataset) rejectTargetsWithDataset('fit', yOrArgs, maybeArgs);
    else if (yOrArgs == null) throw new ValueError('fit: `y` is required when `x` is not a dataset: call fit(x, y, args) or fit(dataset, args).');
    const args: FitArgs = (fromDataset ? (yOrArgs as FitArgs | undefined) : maybeArgs) ?? {};
    const epochs = args.epochs ?? 1;
    const batchSize = args.batchSize ?? 32;
    const verbose = args.verbose === 'auto' || args.verbose == null ? 1 : args.verbose;
    const spe = this.stepsPerExecution;
    const owned: Tensor[] = [];
    const iterators: EpochIterator[] = [];
    try {
      const seeds = new SeedGenerator(args.seed ?? null);
      let train: EpochIterator;
      let valArrays: { xs: Tensor[]; ys: Tensor[]; sw: Tensor | null } | null = null;
      if (fromDataset) {
        if (args.validationSplit != null && args.validationSplit > 0) {
          throw new ValueError(
            `fit: \`validationSplit\` is only supported for tensors or arrays, not for a dataset (got validationSplit=${args.validationSplit}); pass \`validationData\` instead.`,
          );
        }
        rejectSampleWeightWithDataset('fit', args.sampleWeight);
        if (args.shuffle === true) {
          console.warn('`shuffle: true` was passed, but will be ignored since the data `x` was provided as a dataset. The dataset is expected to already be shuffled.');
        }
        train = new EpochIterator(this.datasetSource(x, false, args.classWeight, 'fit: x'), args.stepsPerEpoch ?? null, spe, 'stepsPerEpoch', 'fit');
      } else {
        const data = this.toData(x as DataInput, yOrArgs as DataInput, args.sampleWeight, owned);
        let { xs, ys, sw } = data;
        const n = data.n;
        if (args.validationData == null && args.validationSplit != null && args.validationSplit > 0) {
          if (args.validationSplit >= 1) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${args.validationSplit}.`);
          // Keras takes the last fraction of the data, before any shuffling.
          const trainCount = Math.floor(n * (1 - args.validationSplit));
          if (trainCount === 0 || trainCount === n) {
            throw new ValueError(`fit: validationSplit=${args.validationSplit} leaves ${trainCount} training and ${n - trainCount} validation samples out of ${n}.`);
          }
          valArrays = {
            xs: sliceRows(xs, trainCount, n),
            ys: sliceRows(ys, trainCount, n),
            sw: sw == null ? null : sliceRows([sw], trainCount, n)[0]!,
          };
          xs = sliceRows(xs, 0, trainCount);
          ys = sliceRows(ys, 0, trainCount);
          sw = sw == null ? null : sliceRows([sw], 0, trainCount)[0]!;
          owned.push(...valArrays.xs, ...valArrays.ys, ...xs, ...ys);
          if (sw != null) owned.push(sw, valArrays.sw!);
        }
        // Class weights apply to the training data only, as in Keras.
        sw = applyClassWeight(ys, sw, args.classWeight, owned);
        this.ensureBuilt(xs);
        this.requireCompiled(ys);
        train = new EpochIterator(new ArraySource(xs, ys, sw, batchSize, args.shuffle !== false, seeds), args.stepsPerEpoch ?? null, spe, 'stepsPerEpoch', 'fit');
      }
      iterators.push(train);

      let val: EpochIterator | null = null;
      const valBatch = args.validationBatchSize ?? batchSize;
      if (args.validationData != null) {
        const vd = args.validationData;
        if (isDataset(vd)) {
          val = new EpochIterator(this.datasetSource(vd, false, undefined, 'fit: validationData'), args.validationSteps ?? null, spe, 'validationSteps', 'fit');
        } else {
          const tuple = vd as unknown;
          if (!Array.isArray(tuple) || tuple.length < 2 || tuple.length > 3) {
            throw new ValueError('fit: `validationData` must be [x, y], [x, y, sampleWeight] or a dataset of such batches.');
          }
          const [vx, vy, vsw] = tuple as [DataInput, DataInput, DataInput | undefined];
          valArrays = this.toData(vx, vy, vsw, owned, 'validationData ');
        }
      }
      if (valArrays != null) {
        val = new EpochIterator(new ArraySource(valArrays.xs, valArrays.ys, valArrays.sw, valBatch, false, seeds), args.validationSteps ?? null, spe, 'validationSteps', 'fit');
      }
      if (val != null) iterators.push(val);

      const callbacks = new CallbackList(args.callbacks ?? [], {
        addHistory: true,
        addProgbar: verbose !== 0,
        model: this,
        params: { epochs, steps: train.steps, verbose },
      });
      const history = callbacks.history!;
      this.stopTraining = false;
      await callbacks.onTrainBegin({});
      // A callback may ask to resume (BackupAndRestore); as Keras' `self._initial_epoch or initial_epoch`.
      const initialEpoch = this.initialEpoch || (args.initialEpoch ?? 0);
      this.initialEpoch = null;
      const batchLogs = callbacks.needsBatchLogs('train');
      const freq = args.validationFreq ?? 1;
      let lastLogs: Logs = {};
      for (let epoch = initialEpoch; epoch < epochs; epoch++) {
        this.resetMetrics();
        await callbacks.onEpochBegin(epoch, {});
        let ran = 0;
        for await (const { begin, batches } of train.epoch()) {
          await callbacks.onTrainBatchBegin(begin, {});
          try {
            for (const b of batches) this.runBatch(b, true);
          } finally {
            for (const b of batches) b.dispose();
          }
          ran += batches.length;
          // One host read per execution, after its last step (Keras passes that step's index).
          await callbacks.onTrainBatchEnd(begin + batches.length - 1, batchLogs ? await this.readLogs() : {});
          if (this.stopTraining) break;
        }
        if (ran === 0) {
          if (train.insufficientData) break;
          throw new ValueError(
            `fit: \`x\` yielded no batches in epoch ${epoch + 1}.` +
              (fromDataset ? ' A dataset is iterated anew every epoch: a generator object serves one pass only; pass an iterable that starts over, or set `stepsPerEpoch`.' : ''),
          );
        }
        const epochLogs = await this.readLogs();
        if (val != null && (epoch + 1) % freq === 0) {
          const valLogs = await this.testLoop(val, callbacks, 'fit: validationData', true);
          for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
        }
        await callbacks.onEpochEnd(epoch, epochLogs);
        lastLogs = epochLogs;
        await nextFrame();
        if (this.stopTraining || train.insufficientData) break;
      }
      // As Keras: with `useEma`, the trained weights become their moving averages.
      if (epochs > 0) this.optimizer?.finalizeVariableValues?.(this.trainableWeights);
      await callbacks.onTrainEnd(lastLogs);
      return history;
    } finally {
      for (const it of iterators) await it.close();
      disposeAll(owned);
    }
  }

  /** Batches of a dataset for this model's inputs and outputs. */
  private datasetSource(ds: Dataset<unknown>, forPredict: boolean, classWeight: Record<number, number> | undefined, what: string): DatasetSource {
    return new DatasetSource(ds, { inputNames: this.inputKeys(), outputNames: forPredict ? [] : this.outputKeys(), forPredict, classWeight, what });
  }

  private runBatch(b: Batch, training: boolean): void {
    this.ensureBuilt(b.xs);
    if (training) this.trainStep(b.xs, b.ys, b.sw);
    else this.testStep(b.xs, b.ys, b.sw);
  }

  /** One pass of `it` through `testStep`; `allowEmpty` (validation) returns `{}` for no batches. */
  private async testLoop(it: EpochIterator, callbacks: CallbackList | null, what: string, allowEmpty: boolean): Promise<Logs> {
    this.resetMetrics();
    await callbacks?.onTestBegin({});
    let ran = 0;
    for await (const { begin, batches } of it.epoch()) {
      await callbacks?.onTestBatchBegin(begin, {});
      try {
        for (const b of batches) this.runBatch(b, false);
      } finally {
        for (const b of batches) b.dispose();
      }
      ran += batches.length;
      await callbacks?.onTestBatchEnd(begin + batches.length - 1, callbacks.needsBatchLogs('test') ? await this.readLogs() : {});
    }
    if (ran === 0) {
      if (!allowEmpty) throw new ValueError(`${what}: the data yielded no batches.`);
      await callbacks?.onTestEnd({});
      return {};
    }
    const logs = await this.readLogs();
    await callbacks?.onTestEnd(logs);
    return logs;
  }

  /**
   * Loss and metrics on the data, as a dict (`{ loss, accuracy }`); metrics are averaged over all
   * samples. `evaluate(x, y, args)` for arrays, `evaluate(dataset, args)` for a dataset of
   * `[x, y]` / `[x, y, sampleWeight]` batches (its tensors are disposed as in `fit`).
   */
  async evaluate(dataset: Dataset<DatasetBatch>, args?: EvaluateArgs): Promise<Logs>;
  async evaluate(x: DataInput, y: DataInput, args?: EvaluateArgs): Promise<Logs>;
  async evaluate(x: DataInput | Dataset<DatasetBatch>, yOrArgs?: DataInput | EvaluateArgs, maybeArgs?: EvaluateArgs): Promise<Logs> {
    this.requireCompiled();
    const fromDataset = isDataset(x);
    if (fromDataset) rejectTargetsWithDataset('evaluate', yOrArgs, maybeArgs);
    else if (yOrArgs == null) throw new ValueError('evaluate: `y` is required when `x` is not a dataset: call evaluate(x, y, args) or evaluate(dataset, args).');
    const args: EvaluateArgs = (fromDataset ? (yOrArgs as EvaluateArgs | undefined) : maybeArgs) ?? {};
    const owned: Tensor[] = [];
    let it: EpochIterator | null = null;
    try {
      const spe = this.stepsPerExecution;
      if (fromDataset) {
        rejectSampleWeightWithDataset('evaluate', args.sampleWeight);
        it = new EpochIterator(this.datasetSource(x, false, undefined, 'evaluate: x'), args.steps ?? null, spe, 'steps', 'evaluate');
      } else {
        const { xs, ys, sw } = this.toData(x as DataInput, yOrArgs as DataInput, args.sampleWeight, owned);
        this.ensureBuilt(xs);
        this.requireCompiled(ys);
        it = new EpochIterator(new ArraySource(xs, ys, sw, args.batchSize ?? 32, false, null), args.steps ?? null, spe, 'steps', 'evaluate');
      }
      const verbose = args.verbose === 'auto' || args.verbose == null ? 1 : args.verbose;
      const callbacks = new CallbackList(args.callbacks ?? [], {
        addProgbar: verbose !== 0,
        model: this,
        params: { epochs: 1, steps: it.steps, verbose },
      });
      return await this.testLoop(it, callbacks, 'evaluate', false);
    } finally {
      await it?.close();
      disposeAll(owned);
    }
  }

  /**
   * Outputs for `x` in inference mode. Arrays: computed `batchSize` samples at a time,
   * synchronously. A dataset of `x` (or `[x]`, `[x, y]`...) batches: a Promise of the outputs
   * concatenated over the batches (at most `steps` of them); its tensors are disposed as in `fit`.
   */
  predict(dataset: Dataset<PredictBatch>, args?: PredictArgs): Promise<Tensor | Tensor[]>;
  predict(x: DataInput, args?: PredictArgs): Tensor | Tensor[];
  predict(x: DataInput | Dataset<PredictBatch>, args: PredictArgs = {}): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    if (isDataset(x)) return this.predictDataset(x, args);
    const xset = toTensorSet(x as DataInput, this.inputKeys(), 'x');
    try {
      const n = sampleCount([xset.tensors], ['x']);
      const batchSize = args.batchSize ?? 32;
      const parts: Tensor[][] = [];
      for (const [b0, b1] of batchRanges(n, batchSize)) {
        parts.push(
          tidy(() => {
            const outs = this.forward(sliceRows(xset.tensors, b0, b1), false);
            return outs;
          }),
        );
      }
      return concatParts(parts);
    } finally {
      for (const t of xset.owned) t.dispose();
    }
  }

  private async predictDataset(ds: Dataset<PredictBatch>, args: PredictArgs): Promise<Tensor | Tensor[]> {
    const it = new EpochIterator(this.datasetSource(ds, true, undefined, 'predict: x'), args.steps ?? null, this.stepsPerExecution, 'steps', 'predict');
    const parts: Tensor[][] = [];
    try {
      const verbose = args.verbose === 'auto' || args.verbose == null ? 1 : args.verbose;
      const callbacks = new CallbackList(args.callbacks ?? [], {
        addProgbar: verbose !== 0,
        model: this,
        params: { epochs: 1, steps: it.steps, verbose },
      });
      await callbacks.onPredictBegin({});
      for await (const { begin, batches } of it.epoch()) {
        await callbacks.onPredictBatchBegin(begin, {});
        try {
          for (const b of batches) {
            this.ensureBuilt(b.xs);
            parts.push(tidy(() => this.forward(b.xs, false)));
          }
        } finally {
          for (const b of batches) b.dispose();
        }
        await callbacks.onPredictBatchEnd(begin + batches.length - 1, {});
      }
      await callbacks.onPredictEnd({});
      if (parts.length === 0) throw new ValueError('predict: the dataset yielded no batches.');
      return concatParts(parts);
    } catch (e) {
      disposeAll(parts.flat());
      throw e;
    } finally {
      await it.close();
    }
  }

  /** One gradient step on one batch; returns the batch's loss and metrics. */
  async trainOnBatch(x: DataInput, y: DataInput, args: { sampleWeight?: DataInput; classWeight?: Record<number, number> } = {}): Promise<Logs> {
    return this.onBatch(x, y, args, (xs, ys, sw) => this.trainStep(xs, ys, sw));
  }

  /** Loss and metrics of one batch, without updating weights. */
  async testOnBatch(x: DataInput, y: DataInput, args: { sampleWeight?: DataInput } = {}): Promise<Logs> {
    return this.onBatch(x, y, args, (xs, ys, sw) => this.testStep(xs, ys, sw));
  }

  private async onBatch(
    x: DataInput,
    y: DataInput,
    args: { sampleWeight?: DataInput; classWeight?: Record<number, number> },
    step: (xs: Tensor[], ys: Tensor[], sw: Tensor | null) => void,
  ): Promise<Logs> {
    this.requireCompiled();
    const owned: Tensor[] = [];
    try {
      const data = this.toData(x, y, args.sampleWeight, owned);
      const sw = applyClassWeight(data.ys, data.sw, args.classWeight, owned);
      this.ensureBuilt(data.xs);
      this.requireCompiled(data.ys).loss.reset();
      step(data.xs, data.ys, sw);
      return await this.readLogs();
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /** Outputs for one batch in inference mode. */
  predictOnBatch(x: DataInput): Tensor | Tensor[] {
    const xset = toTensorSet(x, this.inputKeys(), 'x');
    try {
      const outs = tidy(() => this.forward(xset.tensors, false));
      return outs.length === 1 ? outs[0]! : outs;
    } finally {
      for (const t of xset.owned) t.dispose();
    }
  }

  /** Prints Keras' summary table (to `printFn`, default console.log). */
  summary(options: SummaryOptions = {}): string {
    return printSummary(this, options);
  }

  /** A Functional model's graph config (Keras' format); subclassed models report name/trainable. */
  override getConfig(): Config {
    if (this.graph == null) return { name: this.name, trainable: this.trainable };
    return functionalConfig({ name: this.name, trainable: this.trainable, layers: this.graph.layers, inputs: this.inputs, outputs: this.outputs });
  }

  /** Rebuilds a Functional model from Keras' config (`layers`, `input_layers`, `output_layers`). */
  static override fromConfig<T extends Layer>(this: new (args: never) => T, config: Config, customObjects?: CustomObjects): T {
    if (config.layers == null) return new this({ name: config.name, trainable: config.trainable } as never);
    const { name, inputs, outputs, trainable } = graphFromConfig(config, customObjects);
    const model = new Model({ name, inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: outputs.length === 1 ? outputs[0] : outputs });
    if (!trainable) model.trainable = false;
    return model as unknown as T;
  }

  /**
   * Whether `save`/`saveWeights`/`loadWeights` can work (`@strata/io` is imported). Callbacks that
   * have their own fallback format check it before calling those methods.
   */
  get savingAvailable(): boolean {
    return hasModelSaving();
  }

  /**
   * Keras' `model.save(filepath)`: `.keras` (native zip), `.h5` (legacy HDF5), or a directory /
   * `model.json` / `indexeddb://` / `localstorage://` / `downloads://` target (TF.js format).
   * The formats live in `@strata/io`, which must be imported.
   */
  async save(filepath: string, options?: Record<string, unknown>): Promise<void> {
    await modelSaving('Model.save').save(this, filepath, options);
  }

  /** Keras' `model.save_weights(filepath, overwrite, max_shard_size)`: `.weights.h5` (Keras 3), `.h5` (legacy), or `.weights.json` with `{ maxShardSize }` (GB, sharded). Needs `@strata/io`. */
  async saveWeights(filepath: string, options?: Record<string, unknown>): Promise<void> {
    await modelSaving('Model.saveWeights').saveWeights(this, filepath, options);
  }

  /** Keras' `model.load_weights(filepath, skip_mismatch, by_name)` from `.weights.h5`, `.weights.json`, `.keras` or legacy `.h5`. Needs `@strata/io`. */
  async loadWeights(filepath: string, options?: { skipMismatch?: boolean; byName?: boolean } & Record<string, unknown>): Promise<void> {
    await modelSaving('Model.loadWeights').loadWeights(this, filepath, options);
  }

  /** Frees the weights, the optimizer's variables and the loss and metric state. */
  override dispose(): void {
    super.dispose();
    for (const v of [...(this.optimizer?.variables ?? []), ...(this.compiledLoss?.variables ?? [])]) if (!v.isDisposed) v.dispose();
  }
}
registerClass('model', Model, { module: 'keras', className: 'Model' });
registerClass('layer', Model, { module: 'keras.src.models.functional', className: 'Functional', aliases: ['Model'] });

/** Keras refuses `y` next to a dataset: the targets come from the dataset's batches. */
function rejectTargetsWithDataset(what: string, second: unknown, third: unknown): void {
  const looksLikeData = isTensor(second) || Array.isArray(second) || ArrayBuffer.isView(second) || typeof second === 'number';
  if (third !== undefined || looksLikeData) {
    throw new ValueError(
      `${what}: when providing \`x\` as a dataset, \`y\` should not be passed. Instead, the targets should be included as part of the dataset (batches [x, y] or [x, y, sampleWeight]); call ${what}(dataset, args).`,
    );
  }
}

function rejectSampleWeightWithDataset(what: string, sampleWeight: unknown): void {
  if (sampleWeight != null) {
    throw new ValueError(
      `${what}: when providing \`x\` as a dataset, \`sampleWeight\` should not be passed. Instead, the sample weights should be included as part of the dataset (batches [x, y, sampleWeight]).`,
    );
  }
}

/** Per-batch outputs joined along the batch axis (the parts are disposed). */
function concatParts(parts: Tensor[][]): Tensor | Tensor[] {
  const outputs = parts[0]!.map((_, i) => (parts.length === 1 ? parts[0]![i]! : ops.concatenate(parts.map((p) => p[i]!), 0)));
  if (parts.length > 1) disposeAll(parts.flat());
  return outputs.length === 1 ? outputs[0]! : outputs;
}

/** Keras' name for a graph-built Model. */
export const Functional = Model;
