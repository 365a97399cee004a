// The contracts between packages (ARCHITECTURE.md). core defines them; other packages implement.
import type { Config } from './serialization';
import type { Scalar, Tensor } from './tensor';
import type { Variable } from './variable';

/** A learning rate as a function of the step (keras.optimizers.schedules.LearningRateSchedule). */
export interface LearningRateScheduleLike {
  apply(step: number | Tensor): number | Tensor;
  getConfig(): Config;
}

export interface OptimizerLike {
  /** Applies `grads` to `variables` (same order), then each variable's constraint. */
  apply(grads: readonly Tensor[], variables: readonly Variable[]): void;
  /** The optimizer's own state (iterations, slots). */
  readonly variables: Variable[];
  /** Number of `apply` calls so far. */
  readonly iterations: Variable;
  learningRate: number | LearningRateScheduleLike;
  getConfig(): Config;
  /** With an EMA of the weights, copies the averages into `variables` (called at the end of `fit`). */
  finalizeVariableValues?(variables: readonly Variable[]): void;
}

export type Reduction = 'sum_over_batch_size' | 'sum' | 'mean' | 'mean_with_sample_weight' | 'none' | null;

export interface LossLike {
  readonly name: string;
  readonly reduction: Reduction;
  /** Per-sample loss (the batch axis kept). */
  call(yTrue: Tensor, yPred: Tensor): Tensor;
  /** The reduced loss, weighted by `sampleWeight`. */
  apply(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): Tensor;
  getConfig(): Config;
}

export interface MetricLike {
  readonly name: string;
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void;
  result(): Tensor;
  resetState(): void;
  readonly variables: Variable[];
  getConfig(): Config;
}

/** Keras' `logs` dict: metric name to value. */
export type Logs = Record<string, number>;

export interface TrainingParams {
  epochs?: number;
  steps?: number | null;
  verbose?: number;
  [key: string]: unknown;
}

export interface CallbackLike {
  setModel(model: unknown): void;
  setParams(params: TrainingParams): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onTrainBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onTrainBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  onTestBegin?(logs?: Logs): void | Promise<void>;
  onTestEnd?(logs?: Logs): void | Promise<void>;
  onTestBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onTestBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  onPredictBegin?(logs?: Logs): void | Promise<void>;
  onPredictEnd?(logs?: Logs): void | Promise<void>;
  onPredictBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onPredictBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

export type { Scalar };
