// Test helpers (not exported from the package).
import { type Logs, type Tensor, Variable, dispose, ops, tensor, tidy } from '@strata/core';
import type { CallbackModel } from './callback';
import { type CallbackInput, CallbackList } from './callback-list';
import type { History } from './history';
import type { Writer } from './io';

/** A model stand-in: one weight tensor whose value the test sets, an optimizer with a number LR. */
export class FakeModel implements CallbackModel {
  stopTraining = false;
  optimizer: { learningRate: unknown } | null = { learningRate: 0.01 };
  history?: unknown;
  metrics?: { name: string; direction?: 'up' | 'down' }[];
  weights: Tensor[];
  getWeightsCalls = 0;
  /** Set by a callback in `onTrainBegin` (BackupAndRestore) to resume `fakeFit` at that epoch. */
  initialEpoch: number | null = null;

  constructor(value = 0) {
    this.weights = [tensor([value, value * 10])];
  }

  /** Simulates training: the weights become [v, 10v]. */
  setValue(v: number): void {
    dispose(this.weights);
    this.weights = [tensor([v, v * 10])];
  }

  value(): number {
    return this.weights[0]!.dataSync()[0]!;
  }

  getWeights(): Tensor[] {
    this.getWeightsCalls++;
    return this.weights.map((w) => w.clone());
  }

  setWeights(weights: Tensor[]): void {
    dispose(this.weights);
    this.weights = weights.map((w) => w.clone());
  }

  dispose(): void {
    dispose(this.weights);
  }
}

export function captureWriter(isTTY = false): Writer & { text: string } {
  const w = {
    text: '',
    isTTY,
    write(s: string) {
      w.text += s;
    },
  };
  return w;
}

/**
 * An SGD-with-momentum stand-in with real optimizer state: `iterations` and one `momentum`
 * variable per weight, exposed as `variables` like `@strata/optimizers`.
 */
export class FakeOptimizer {
  learningRate: unknown = 0.1;
  readonly momentum = 0.9;
  iterations: Variable;
  velocity: Variable;
  useEma = false;

  constructor(size = 2) {
    this.iterations = new Variable({ initializer: 0, dtype: 'int32', name: 'iteration', trainable: false });
    this.velocity = new Variable({ initializer: new Array<number>(size).fill(0), name: 'momentum', trainable: false });
  }

  get variables(): Variable[] {
    return [this.iterations, this.velocity];
  }

  dispose(): void {
    this.iterations.dispose();
    this.velocity.dispose();
  }
}

/** A FakeModel that trains: each step pulls its weights towards a seeded target with momentum. */
export class TrainableFakeModel extends FakeModel {
  declare optimizer: FakeOptimizer;

  constructor(value = 0) {
    super(value);
    this.optimizer = new FakeOptimizer(2);
  }

  /** One SGD-with-momentum step on `0.5 * |w - target|^2`, the target a function of (seed, epoch, step). */
  trainStep(seed: number, epoch: number, step: number): number {
    const t = seededTarget(seed, epoch, step);
    const opt = this.optimizer;
    const lr = opt.learningRate as number;
    const next = tidy(() => {
      const w = this.weights[0]!;
      const g = ops.subtract(w, tensor(t));
      const v = ops.add(ops.multiply(opt.velocity.value, opt.momentum), g);
      opt.velocity.assign(v);
      return ops.subtract(w, ops.multiply(v, lr));
    });
    tidy(() => opt.iterations.assign(ops.add(opt.iterations.value, 1)));
    dispose(this.weights);
    this.weights = [next];
    const d = next.dataSync();
    return 0.5 * ((d[0]! - t[0]!) ** 2 + (d[1]! - t[1]!) ** 2);
  }

  override dispose(): void {
    super.dispose();
    this.optimizer.dispose();
  }
}

/** A deterministic pseudo-random target for (seed, epoch, step). */
export function seededTarget(seed: number, epoch: number, step: number): [number, number] {
  let h = (seed * 73856093) ^ (epoch * 19349663) ^ (step * 83492791);
  const next = () => {
    h = (Math.imul(h ^ (h >>> 15), 2246822507) ^ Math.imul(h ^ (h >>> 13), 3266489909)) >>> 0;
    return h / 4294967296;
  };
  return [next() * 2 - 1, next() * 2 - 1];
}

export interface FakeFitOptions {
  epochs: number;
  steps: number;
  seed?: number;
  /** Called before each step; may throw to simulate an interruption. */
  beforeStep?: (epoch: number, step: number) => void;
}

/**
 * A training loop shaped like `Model.fit`: after `onTrainBegin` it reads `model.initialEpoch`
 * (set by BackupAndRestore) and, when it is a number, starts from that epoch.
 */
export async function fakeFit(model: TrainableFakeModel, callbacks: CallbackInput, options: FakeFitOptions): Promise<History> {
  const list = new CallbackList(callbacks, {
    addHistory: true,
    model,
    params: { epochs: options.epochs, steps: options.steps, verbose: 0 },
  });
  model.stopTraining = false;
  model.initialEpoch = null;
  await list.onTrainBegin({});
  const start = typeof model.initialEpoch === 'number' ? model.initialEpoch : 0;
  let last: Logs = {};
  for (let epoch = start; epoch < options.epochs; epoch++) {
    await list.onEpochBegin(epoch, {});
    let total = 0;
    for (let step = 0; step < options.steps; step++) {
      options.beforeStep?.(epoch, step);
      await list.onTrainBatchBegin(step, {});
      total += model.trainStep(options.seed ?? 0, epoch, step);
      await list.onTrainBatchEnd(step, { loss: total / (step + 1) });
      if (model.stopTraining) break;
    }
    last = { loss: total / options.steps };
    await list.onEpochEnd(epoch, last);
    if (model.stopTraining) break;
  }
  await list.onTrainEnd(last);
  return list.history!;
}
