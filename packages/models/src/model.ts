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
  keep,
  nextFrame,
  ops,
  random,
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
import { CompiledLoss, type LossIdentifier, type MetricIdentifier, type PerOutput } from './training/compile';
import {
  type DataInput,
  batchRanges,
  classWeightToSampleWeight,
  sampleCount,
  sliceRows,
  takeRows,
  toTensorSet,
} from './training/data';

export interface ModelArgs extends LayerArgs {
  inputs?: KerasTensor | KerasTensor[];
  outputs?: KerasTensor | KerasTensor[];
}

export type OptimizerIdentifier = Parameters<typeof optimizers.get>[0];

export interface CompileArgs {
  optimizer?: OptimizerIdentifier;
  loss?: PerOutput<LossIdentifier>;
  metrics?: PerOutput<MetricIdentifier[]> | MetricIdentifier[];
  lossWeights?: PerOutput<number>;
}

export interface FitArgs {
  batchSize?: number;
  epochs?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  callbacks?: Callback[];
  validationSplit?: number;
  validationData?: [DataInput, DataInput] | [DataInput, DataInput, DataInput];
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  sampleWeight?: DataInput;
  initialEpoch?: number;
  /** Seed of the per-epoch shuffles (reproducible runs). */
  seed?: number;
  validationBatchSize?: number;
  validationFreq?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  sampleWeight?: DataInput;
  callbacks?: Callback[];
}

export interface PredictArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
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
    this.optimizer = optimizers.get(args.optimizer ?? 'rmsprop');
    this.compileArgs = args;
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
    this.compiledLoss = new CompiledLoss(names, shapes, a.loss, a.lossWeights, a.metrics, yShapes);
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

  async fit(x: DataInput, y: DataInput, args: FitArgs = {}): Promise<History> {
    this.requireCompiled();
    const epochs = args.epochs ?? 1;
    const batchSize = args.batchSize ?? 32;
    const verbose = args.verbose === 'auto' || args.verbose == null ? 1 : args.verbose;
    const owned: Tensor[] = [];
    try {
      const data = this.toData(x, y, args.sampleWeight, owned);
      let { xs, ys, sw } = data;
      const n = data.n;
      let valXs: Tensor[] | null = null;
      let valYs: Tensor[] | null = null;
      let valSw: Tensor | null = null;
      let trainCount = n;
      if (args.validationData != null) {
        const [vx, vy, vsw] = args.validationData;
        const val = this.toData(vx, vy, vsw, owned, 'validationData ');
        valXs = val.xs;
        valYs = val.ys;
        valSw = val.sw;
      } else if (args.validationSplit != null && args.validationSplit > 0) {
        if (args.validationSplit >= 1) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${args.validationSplit}.`);
        // Keras takes the last fraction of the data, before any shuffling.
        trainCount = Math.floor(n * (1 - args.validationSplit));
        if (trainCount === 0 || trainCount === n) {
          throw new ValueError(`fit: validationSplit=${args.validationSplit} leaves ${trainCount} training and ${n - trainCount} validation samples out of ${n}.`);
        }
        valXs = sliceRows(xs, trainCount, n);
        valYs = sliceRows(ys, trainCount, n);
        valSw = sw == null ? null : sliceRows([sw], trainCount, n)[0]!;
        xs = sliceRows(xs, 0, trainCount);
        ys = sliceRows(ys, 0, trainCount);
        sw = sw == null ? null : sliceRows([sw], 0, trainCount)[0]!;
        owned.push(...valXs, ...valYs, ...xs, ...ys);
        if (sw != null) owned.push(sw, valSw!);
      }
      // Class weights apply to the training data only, as in Keras.
      sw = applyClassWeight(ys, sw, args.classWeight, owned);

      this.ensureBuilt(xs);
      const { loss } = this.requireCompiled(ys);
      const steps = Math.ceil(trainCount / batchSize);
      const callbacks = new CallbackList(args.callbacks ?? [], {
        addHistory: true,
        addProgbar: verbose !== 0,
        model: this,
        params: { epochs, steps, verbose },
      });
      const history = callbacks.history!;
      const seeds = new SeedGenerator(args.seed ?? null);
      this.stopTraining = false;
      await callbacks.onTrainBegin({});
      const batchLogs = callbacks.needsBatchLogs('train');
      let lastLogs: Logs = {};
      for (let epoch = args.initialEpoch ?? 0; epoch < epochs; epoch++) {
        loss.reset();
        await callbacks.onEpochBegin(epoch, {});
        const order = args.shuffle === false ? null : random.permutation(trainCount, seeds);
        let step = 0;
        for (const [b0, b1] of batchRanges(trainCount, batchSize)) {
          await callbacks.onTrainBatchBegin(step, {});
          const idx = order == null ? null : order.subarray(b0, b1);
          const bx = idx == null ? sliceRows(xs, b0, b1) : takeRows(xs, idx);
          const by = idx == null ? sliceRows(ys, b0, b1) : takeRows(ys, idx);
          const bsw = sw == null ? null : (idx == null ? sliceRows([sw], b0, b1) : takeRows([sw], idx))[0]!;
          try {
            this.trainStep(bx, by, bsw);
          } finally {
            for (const t of [...bx, ...by]) t.dispose();
            bsw?.dispose();
          }
          await callbacks.onTrainBatchEnd(step, batchLogs ? await this.readLogs() : {});
          step++;
          if (this.stopTraining) break;
        }
        const epochLogs = await this.readLogs();
        const freq = args.validationFreq ?? 1;
        if (valXs != null && valYs != null && (epoch + 1) % freq === 0) {
          const valLogs = await this.evaluateTensors(valXs, valYs, valSw, args.validationBatchSize ?? batchSize, callbacks);
          for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
        }
        await callbacks.onEpochEnd(epoch, epochLogs);
        lastLogs = epochLogs;
        await nextFrame();
        if (this.stopTraining) break;
      }
      await callbacks.onTrainEnd(lastLogs);
      return history;
    } finally {
      for (const t of owned) if (!t.isDisposed) t.dispose();
    }
  }

  private async evaluateTensors(
    xs: Tensor[],
    ys: Tensor[],
    sw: Tensor | null,
    batchSize: number,
    callbacks: CallbackList | null,
  ): Promise<Logs> {
    const { loss } = this.requireCompiled(ys);
    loss.reset();
    const n = xs[0]!.shape[0]!;
    await callbacks?.onTestBegin({});
    let step = 0;
    for (const [b0, b1] of batchRanges(n, batchSize)) {
      await callbacks?.onTestBatchBegin(step, {});
      const bx = sliceRows(xs, b0, b1);
      const by = sliceRows(ys, b0, b1);
      const bsw = sw == null ? null : sliceRows([sw], b0, b1)[0]!;
      try {
        this.testStep(bx, by, bsw);
      } finally {
        for (const t of [...bx, ...by]) t.dispose();
        bsw?.dispose();
      }
      await callbacks?.onTestBatchEnd(step, callbacks.needsBatchLogs('test') ? await this.readLogs() : {});
      step++;
    }
    const logs = await this.readLogs();
    await callbacks?.onTestEnd(logs);
    return logs;
  }

  /**
   * Loss and metrics on the data, as a dict (`{ loss, accuracy }`); metrics are averaged over all
   * samples.
   */
  async evaluate(x: DataInput, y: DataInput, args: EvaluateArgs = {}): Promise<Logs> {
    this.requireCompiled();
    const owned: Tensor[] = [];
    try {
      const { xs, ys, sw, n } = this.toData(x, y, args.sampleWeight, owned);
      this.ensureBuilt(xs);
      const batchSize = args.batchSize ?? 32;
      const verbose = args.verbose === 'auto' || args.verbose == null ? 1 : args.verbose;
      const callbacks = new CallbackList(args.callbacks ?? [], {
        addProgbar: verbose !== 0,
        model: this,
        params: { epochs: 1, steps: Math.ceil(n / batchSize), verbose },
      });
      return await this.evaluateTensors(xs, ys, sw, batchSize, callbacks);
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /** Outputs for `x` in inference mode, computed `batchSize` samples at a time. */
  predict(x: DataInput, args: PredictArgs = {}): Tensor | Tensor[] {
    const xset = toTensorSet(x, this.inputKeys(), 'x');
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
      const outputs = parts[0]!.map((_, i) =>
        parts.length === 1 ? parts[0]![i]! : ops.concatenate(parts.map((p) => p[i]!), 0),
      );
      if (parts.length > 1) for (const t of parts.flat()) t.dispose();
      return outputs.length === 1 ? outputs[0]! : outputs;
    } finally {
      for (const t of xset.owned) t.dispose();
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

  override dispose(): void {
    super.dispose();
    for (const v of this.optimizer?.variables ?? []) if (!v.isDisposed) v.dispose();
  }
}
registerClass('model', Model, { module: 'keras', className: 'Model' });
registerClass('layer', Model, { module: 'keras.src.models.functional', className: 'Functional', aliases: ['Model'] });

/** Multiplies the sample weights by Keras' `class_weight` of each sample's class. */
function applyClassWeight(
  ys: Tensor[],
  sw: Tensor | null,
  classWeight: Record<number, number> | undefined,
  owned: Tensor[],
): Tensor | null {
  if (classWeight == null) return sw;
  if (ys.length !== 1) throw new ValueError('classWeight is only supported for models with a single output.');
  const cw = classWeightToSampleWeight(ys[0]!, classWeight);
  owned.push(cw);
  if (sw == null) return cw;
  const combined = ops.multiply(ops.reshape(sw, [-1]), cw);
  owned.push(combined);
  return combined;
}

/** Keras' name for a graph-built Model. */
export const Functional = Model;
