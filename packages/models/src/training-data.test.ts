import { Callback } from '@strata/callbacks';
import { type Tensor, memory, tensor } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { SGD } from '@strata/optimizers';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Model } from './model';
import { Sequential } from './sequential';
import type { DatasetBatch } from './training/dataset';

const N = 12;
/** Deterministic regression data: x (12, 3), y (12, 2). */
const X = Array.from({ length: N }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), (i % 5) / 5 - 0.4]);
const Y = X.map(([a, b, c]) => [a! - 0.5 * b! + 0.2, 0.3 * c! + a! * b!]);

function rows<T>(a: T[], b0: number, b1: number): T[] {
  return a.slice(b0, b1);
}

interface BatchOptions {
  cardinality?: number;
  limit?: number;
  log?: number[];
}

/** Batch `k` of the data, as fresh tensors. */
function makeBatch(batchSize: number, k: number, log?: number[]): DatasetBatch {
  log?.push(k);
  return [tensor(rows(X, k * batchSize, (k + 1) * batchSize)), tensor(rows(Y, k * batchSize, (k + 1) * batchSize))];
}

/** A re-iterable dataset of `[x, y]` batches made fresh (new tensors) on every pass. */
function batches(batchSize: number, opts: BatchOptions = {}) {
  const count = Math.ceil(N / batchSize);
  return {
    cardinality: opts.cardinality,
    *[Symbol.iterator](): Generator<DatasetBatch> {
      for (let k = 0; k < (opts.limit ?? count); k++) yield makeBatch(batchSize, k % count, opts.log);
    },
  };
}

/** The same as an async iterable. */
function asyncBatches(batchSize: number, opts: BatchOptions = {}) {
  const count = Math.ceil(N / batchSize);
  return {
    cardinality: opts.cardinality,
    async *[Symbol.asyncIterator](): AsyncGenerator<DatasetBatch> {
      for (let k = 0; k < (opts.limit ?? count); k++) yield makeBatch(batchSize, k % count, opts.log);
    },
  };
}

function regressor(): Sequential {
  const model = new Sequential([Input({ shape: [3] }), new Dense(4, { activation: 'tanh' }), new Dense(2)]);
  return model;
}

/** Two models with the same initial weights. */
function twins(compile: (m: Model) => void = (m) => m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' })): [Sequential, Sequential] {
  const a = regressor();
  const b = regressor();
  const w = a.getWeights();
  b.setWeights(w);
  for (const t of w) t.dispose();
  compile(a);
  compile(b);
  return [a, b];
}

function expectSameWeights(a: Model, b: Model, atol = 1e-6): void {
  const wa = a.getWeights();
  const wb = b.getWeights();
  wa.forEach((w, i) => {
    expectAllClose(w, wb[i]!, { atol, rtol: 0 });
  });
  for (const t of [...wa, ...wb]) t.dispose();
}

class Recorder extends Callback {
  events: string[] = [];
  steps: (number | null | undefined)[] = [];
  override onTrainBegin() {
    this.steps.push(this.params.steps);
  }
  override onEpochBegin(epoch: number) {
    this.events.push(`epoch ${epoch}`);
  }
  override onTrainBatchBegin(batch: number) {
    this.events.push(`begin ${batch}`);
  }
  override onTrainBatchEnd(batch: number) {
    this.events.push(`end ${batch}`);
  }
}

describe('fit / evaluate / predict over a dataset', () => {
  beforeEach(() => clearSession());
  afterEach(() => vi.restoreAllMocks());

  it('one epoch over a dataset gives the weights of the same batches from arrays (sync and async)', async () => {
    for (const async of [false, true]) {
      const [a, b] = twins();
      const ha = await a.fit(tensor(X), tensor(Y), { batchSize: 4, epochs: 2, shuffle: false, verbose: 0 });
      const hb = await b.fit(async ? asyncBatches(4) : batches(4), { epochs: 2, verbose: 0 });
      expectSameWeights(a, b);
      expect(hb.history.loss!.length).toBe(2);
      hb.history.loss!.forEach((l, i) => {
        expect(l).toBeCloseTo(ha.history.loss![i]!, 6);
      });
    }
  });

  it('evaluate and predict over a dataset match the array forms', async () => {
    const [model] = twins();
    const fromArrays = await model.evaluate(tensor(X), tensor(Y), { batchSize: 5, verbose: 0 });
    const fromDataset = await model.evaluate(batches(5), { verbose: 0 });
    expect(fromDataset.loss).toBeCloseTo(fromArrays.loss!, 6);
    // Reference: mean squared error over all 24 entries of the predictions, in float64.
    const p = model.predict(tensor(X)) as Tensor;
    const pv = p.arraySync() as number[][];
    const mse = pv.reduce((s, r, i) => s + r.reduce((t, v, j) => t + (v - Y[i]![j]!) ** 2, 0), 0) / (N * 2);
    expect(fromDataset.loss).toBeCloseTo(mse, 5);
    const fromIterable = (await model.predict(
      {
        *[Symbol.iterator]() {
          // x alone, [x] and [x, y] are all accepted for predict, as Keras' unpacking does.
          yield tensor(rows(X, 0, 5));
          yield [tensor(rows(X, 5, 10))];
          yield [tensor(rows(X, 10, 12)), tensor(rows(Y, 10, 12))];
        },
      },
      { verbose: 0 },
    )) as Tensor;
    expect(fromIterable.shape).toEqual([N, 2]);
    expectAllClose(fromIterable, p, { atol: 1e-6 });
  });

  it('leaves numTensors unchanged: yielded tensors are disposed after their step', async () => {
    const [model] = twins();
    await model.fit(batches(4), { epochs: 1, verbose: 0 });
    await model.evaluate(batches(4), { verbose: 0 });
    (await model.predict(batches(5), { verbose: 0 }) as Tensor).dispose();
    const before = memory().numTensors;
    await model.fit(asyncBatches(4), { epochs: 2, verbose: 0, validationData: batches(5) });
    expect(memory().numTensors).toBe(before);
    await model.evaluate(asyncBatches(5), { verbose: 0 });
    expect(memory().numTensors).toBe(before);
    const p = (await model.predict(batches(5), { verbose: 0 })) as Tensor;
    expect(memory().numTensors).toBe(before + 1);
    p.dispose();
    // Nested JS arrays in a batch are converted; the copies are disposed too.
    await model.fit({ *[Symbol.iterator]() { yield [rows(X, 0, 6), rows(Y, 0, 6)] as DatasetBatch; } }, { verbose: 0 });
    expect(memory().numTensors).toBe(before);
  });

  it('disposeBatches: false leaves the producer its tensors, which can be yielded every epoch', async () => {
    const [a, b] = twins();
    const fixed: DatasetBatch[] = [0, 1, 2].map((k) => [tensor(rows(X, 4 * k, 4 * k + 4)), tensor(rows(Y, 4 * k, 4 * k + 4))]);
    const ds = { disposeBatches: false, cardinality: 3, *[Symbol.iterator]() { yield* fixed; } };
    await a.fit(ds, { epochs: 1, verbose: 0 });
    const before = memory().numTensors;
    await a.fit(ds, { epochs: 2, verbose: 0 });
    expect(memory().numTensors).toBe(before);
    for (const [x, y] of fixed) {
      expect((x as Tensor).isDisposed).toBe(false);
      expect((y as Tensor).isDisposed).toBe(false);
    }
    await b.fit(tensor(X), tensor(Y), { batchSize: 4, epochs: 3, shuffle: false, verbose: 0 });
    expectSameWeights(a, b);
  });

  it('reads x and y as dicts by input/output name and [x, y, sampleWeight] batches', async () => {
    const input = Input({ shape: [3], name: 'features' });
    const out = new Dense(2, { name: 'target' }).apply(new Dense(4, { activation: 'tanh' }).apply(input));
    const a = new Model({ inputs: input, outputs: out as never });
    const b = Model.fromConfig(a.getConfig()) as Model;
    b.setWeights(a.getWeights());
    for (const m of [a, b]) m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    const sw = Array.from({ length: N }, (_, i) => (i % 3) + 0.5);
    await a.fit(tensor(X), tensor(Y), { sampleWeight: sw, batchSize: 6, shuffle: false, verbose: 0 });
    await b.fit(
      {
        *[Symbol.iterator]() {
          for (const k of [0, 1]) yield [{ features: tensor(rows(X, 6 * k, 6 * k + 6)) }, { target: tensor(rows(Y, 6 * k, 6 * k + 6)) }, tensor(rows(sw, 6 * k, 6 * k + 6))] as DatasetBatch;
        },
      },
      { verbose: 0 },
    );
    expectSameWeights(a, b);
  });

  it('gives the progress bar the cardinality or size as steps when known', async () => {
    const [model] = twins();
    const rec = new Recorder();
    await model.fit(batches(4, { cardinality: 3 }), { verbose: 0, callbacks: [rec] });
    await model.fit({ size: 3, *[Symbol.iterator]() { yield* batches(4)[Symbol.iterator](); } }, { verbose: 0, callbacks: [rec] });
    await model.fit(batches(4, { cardinality: -1 }), { verbose: 0, callbacks: [rec] });
    await model.fit(batches(4), { verbose: 0, stepsPerEpoch: 2, callbacks: [rec] });
    await model.fit(tensor(X), tensor(Y), { batchSize: 5, verbose: 0, callbacks: [rec] });
    expect(rec.steps).toEqual([3, 3, null, 2, 3]);
  });

  it('stepsPerEpoch continues the same pass in the next epoch and restarts a pass of known length', async () => {
    const [model] = twins();
    const log: number[] = [];
    let passes = 0;
    const ds = {
      cardinality: 3,
      *[Symbol.iterator]() {
        passes++;
        yield* batches(4, { log })[Symbol.iterator]();
      },
    };
    const h = await model.fit(ds, { epochs: 3, stepsPerEpoch: 2, verbose: 0 });
    // Epoch 1: batches 0, 1; epoch 2: batch 2 ends the known pass, then the warning and a stop.
    expect(log).toEqual([0, 1, 2]);
    expect(h.epoch).toEqual([0, 1]);
    expect(passes).toBe(1);

    log.length = 0;
    passes = 0;
    const h2 = await model.fit(ds, { epochs: 3, stepsPerEpoch: 3, verbose: 0 });
    expect(log).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(passes).toBe(3);
    expect(h2.epoch).toEqual([0, 1, 2]);
  });

  it('warns like Keras and stops training when the data runs out before stepsPerEpoch', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [model] = twins();
    const log: number[] = [];
    const rec = new Recorder();
    // An unknown-length stream of 3 batches, 2 per epoch.
    const h = await model.fit(batches(4, { log }), { epochs: 5, stepsPerEpoch: 2, verbose: 0, callbacks: [rec] });
    expect(log).toEqual([0, 1, 2]);
    expect(h.epoch).toEqual([0, 1]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/Your input ran out of data; interrupting training/);
    expect(rec.events).toEqual(['epoch 0', 'begin 0', 'end 0', 'begin 1', 'end 1', 'epoch 1', 'begin 0', 'end 0']);
  });

  it('stepsPerEpoch limits array batches per epoch, continuing the pass next epoch', async () => {
    const [a, b] = twins();
    await a.fit(tensor(X), tensor(Y), { batchSize: 3, stepsPerEpoch: 2, epochs: 2, shuffle: false, verbose: 0 });
    // 4 batches of 3 in one pass: the two epochs see batches 0-1, then 2-3.
    await b.fit(tensor(X), tensor(Y), { batchSize: 3, epochs: 1, shuffle: false, verbose: 0 });
    expectSameWeights(a, b);
    const [c, d] = twins();
    await c.fit(tensor(X), tensor(Y), { batchSize: 3, stepsPerEpoch: 2, epochs: 1, shuffle: false, verbose: 0 });
    await d.fit(tensor(X.slice(0, 6)), tensor(Y.slice(0, 6)), { batchSize: 3, epochs: 1, shuffle: false, verbose: 0 });
    expectSameWeights(c, d);
  });

  it('validates on a dataset with validationSteps, continuing the pass across epochs', async () => {
    const [model] = twins((m) => m.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse', metrics: ['mae'] }));
    const log: number[] = [];
    const val = { cardinality: 3, *[Symbol.iterator]() { yield* batches(4, { log })[Symbol.iterator](); } };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await model.fit(batches(6), { epochs: 2, verbose: 0, validationData: val, validationSteps: 2 });
    // As Keras' cached eval iterator: epoch 1 validates on batches 0-1, epoch 2 on what is left of
    // the known pass (batch 2), with the ran-out warning; training itself goes on.
    expect(log).toEqual([0, 1, 2]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(h.epoch).toEqual([0, 1]);
    const p = model.predict(tensor(X)) as Tensor;
    const pv = p.arraySync() as number[][];
    const mseOf = (idx: number[]) => idx.reduce((s, i) => s + pv[i]!.reduce((t, v, j) => t + (v - Y[i]![j]!) ** 2, 0), 0) / (idx.length * 2);
    const maeOf = (idx: number[]) => idx.reduce((s, i) => s + pv[i]!.reduce((t, v, j) => t + Math.abs(v - Y[i]![j]!), 0), 0) / (idx.length * 2);
    const first = [0, 1, 2, 3, 4, 5, 6, 7];
    const second = [8, 9, 10, 11];
    expect(h.history.val_loss![0]).toBeCloseTo(mseOf(first), 5);
    expect(h.history.val_mae![0]).toBeCloseTo(maeOf(first), 5);
    expect(h.history.val_loss![1]).toBeCloseTo(mseOf(second), 5);
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
  });

  it('explains misuse, naming the argument', async () => {
    const [model] = twins();
    await expect(model.fit(batches(4), { validationSplit: 0.2, verbose: 0 })).rejects.toThrow(/validationSplit.*only supported for tensors or arrays/);
    await expect(model.fit(batches(4), { sampleWeight: [1, 2], verbose: 0 })).rejects.toThrow(/fit: .*`sampleWeight` should not be passed/);
    await expect(model.fit(batches(4) as never, tensor(Y) as never, { verbose: 0 })).rejects.toThrow(/fit: .*`y` should not be passed/);
    await expect(model.evaluate(batches(4), { sampleWeight: [1], verbose: 0 })).rejects.toThrow(/evaluate: .*`sampleWeight`/);
    await expect(model.fit(tensor(X) as never)).rejects.toThrow(/fit: `y` is required/);
    await expect(model.fit({ *[Symbol.iterator]() { yield tensor(X) as never; } }, { verbose: 0 })).rejects.toThrow(
      /fit: x \(dataset batch 0\): each batch must be \[x, y\] or \[x, y, sampleWeight\]/,
    );
    await expect(model.fit({ *[Symbol.iterator]() { yield [tensor(X), tensor(Y.slice(0, 5))] as DatasetBatch; } }, { verbose: 0 })).rejects.toThrow(
      /dataset batch 0.*12 samples.*5/s,
    );
    await expect(model.fit(batches(4), { stepsPerEpoch: 0, verbose: 0 })).rejects.toThrow(/fit: `stepsPerEpoch` must be a positive integer.*0/);
    await expect(model.fit({ cardinality: -2, *[Symbol.iterator]() {} }, { verbose: 0 })).rejects.toThrow(/infinite.*`stepsPerEpoch` is required/);
    await expect(model.fit({ cardinality: 2.5, *[Symbol.iterator]() {} }, { verbose: 0 })).rejects.toThrow(/`cardinality` must be a non-negative integer.*2\.5/);
    await expect(model.evaluate({ *[Symbol.iterator]() {} }, { verbose: 0 })).rejects.toThrow(/evaluate: the data yielded no batches/);
    await expect(model.predict({ *[Symbol.iterator]() {} }, { verbose: 0 })).rejects.toThrow(/predict: the dataset yielded no batches/);
    // A generator object serves one pass only: the second epoch finds it empty.
    const once = batches(4)[Symbol.iterator]() as Generator<DatasetBatch>;
    await expect(model.fit(once, { epochs: 2, verbose: 0 })).rejects.toThrow(/yielded no batches in epoch 2.*generator object/);
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', stepsPerExecution: 0 })).toThrow(/compile: `stepsPerExecution` must be a positive integer; got 0/);
  });

  it('closes a generator the loop stops reading early and disposes its pending batch on errors', async () => {
    const [model] = twins();
    let closed = false;
    const ds = {
      *[Symbol.iterator]() {
        try {
          for (;;) yield [tensor(rows(X, 0, 4)), tensor(rows(Y, 0, 4))] as DatasetBatch;
        } finally {
          closed = true;
        }
      },
    };
    await model.fit(ds, { stepsPerEpoch: 2, epochs: 2, verbose: 0 });
    expect(closed).toBe(true);
    const before = memory().numTensors;
    await expect(model.fit({ *[Symbol.iterator]() { yield [tensor(X), tensor([[1, 2, 3]])] as DatasetBatch; } }, { verbose: 0 })).rejects.toThrow(/samples/);
    expect(memory().numTensors).toBe(before);
  });
});

describe('stepsPerExecution, stopTraining and resuming', () => {
  beforeEach(() => clearSession());

  it('runs N steps per execution: same weights, batch hooks once per group with Keras indices', async () => {
    const [a, b] = twins();
    b.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse', stepsPerExecution: 2 });
    expect(b.stepsPerExecution).toBe(2);
    const logsA: Record<number, number> = {};
    const logsB: Record<number, number> = {};
    class Logs extends Callback {
      constructor(private readonly into: Record<number, number>) {
        super();
      }
      override onTrainBatchEnd(batch: number, logs?: Record<string, number>) {
        this.into[batch] = logs!.loss!;
      }
    }
    const recA = new Recorder();
    const recB = new Recorder();
    // 12 samples in batches of 3: 4 steps per epoch; 5 steps with stepsPerEpoch over 2 epochs.
    await a.fit(tensor(X), tensor(Y), { batchSize: 3, epochs: 2, shuffle: false, verbose: 0, callbacks: [recA, new Logs(logsA)] });
    await b.fit(tensor(X), tensor(Y), { batchSize: 3, epochs: 2, shuffle: false, verbose: 0, callbacks: [recB, new Logs(logsB)] });
    expectSameWeights(a, b);
    expect(recB.events).toEqual(['epoch 0', 'begin 0', 'end 1', 'begin 2', 'end 3', 'epoch 1', 'begin 0', 'end 1', 'begin 2', 'end 3']);
    // The logs after a group are the running metrics after its last step.
    expect(logsB[1]).toBeCloseTo(logsA[1]!, 6);
    expect(logsB[3]).toBeCloseTo(logsA[3]!, 6);

    const [c] = twins((m) => m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse', stepsPerExecution: 3 }));
    const recC = new Recorder();
    await c.fit(batches(3, { cardinality: 4 }), { epochs: 1, verbose: 0, callbacks: [recC] });
    // The last group is cut at the end of the epoch: steps 3..3.
    expect(recC.events).toEqual(['epoch 0', 'begin 0', 'end 2', 'begin 3', 'end 3']);
    const ev = await c.evaluate(batches(5), { verbose: 0 });
    const ev1 = await c.evaluate(tensor(X), tensor(Y), { batchSize: 5, verbose: 0 });
    expect(ev.loss).toBeCloseTo(ev1.loss!, 6);
  });

  it('stopTraining set in onTrainBatchEnd ends after that batch; in onEpochEnd after that epoch', async () => {
    const [model] = twins();
    const rec = new Recorder();
    class StopAtBatch extends Callback {
      override onTrainBatchEnd(batch: number) {
        if (batch === 1) this.model.stopTraining = true;
      }
    }
    const h = await model.fit(tensor(X), tensor(Y), { batchSize: 3, epochs: 3, verbose: 0, callbacks: [rec, new StopAtBatch()] });
    expect(rec.events).toEqual(['epoch 0', 'begin 0', 'end 0', 'begin 1', 'end 1']);
    expect(h.epoch).toEqual([0]);

    class StopAtEpoch extends Callback {
      override onEpochEnd(epoch: number) {
        if (epoch === 1) this.model.stopTraining = true;
      }
    }
    const h2 = await model.fit(batches(6), { epochs: 5, verbose: 0, callbacks: [new StopAtEpoch()] });
    expect(h2.epoch).toEqual([0, 1]);
    // The next fit starts with stopTraining reset.
    const h3 = await model.fit(batches(6), { epochs: 2, verbose: 0 });
    expect(h3.epoch).toEqual([0, 1]);
  });

  it('resumes from model.initialEpoch set in onTrainBegin, then resets it to null', async () => {
    const [model] = twins();
    expect(model.initialEpoch).toBeNull();
    class Restore extends Callback<Model> {
      override onTrainBegin() {
        this.model.initialEpoch = 3;
      }
    }
    const rec = new Recorder();
    const h = await model.fit(tensor(X), tensor(Y), { epochs: 5, initialEpoch: 1, verbose: 0, callbacks: [new Restore(), rec] });
    expect(h.epoch).toEqual([3, 4]);
    expect(model.initialEpoch).toBeNull();
    const h2 = await model.fit(tensor(X), tensor(Y), { epochs: 3, initialEpoch: 1, verbose: 0 });
    expect(h2.epoch).toEqual([1, 2]);
    // 0 falls back to the initialEpoch argument, as Keras' `self._initial_epoch or initial_epoch`.
    class Zero extends Callback<Model> {
      override onTrainBegin() {
        this.model.initialEpoch = 0;
      }
    }
    const h3 = await model.fit(tensor(X), tensor(Y), { epochs: 3, initialEpoch: 2, verbose: 0, callbacks: [new Zero()] });
    expect(h3.epoch).toEqual([2]);
    expect(model.initialEpoch).toBeNull();
    // A leak check of the array path with stepsPerEpoch.
    const before = memory().numTensors;
    const x = tensor(X);
    const y = tensor(Y);
    await model.fit(x, y, { epochs: 2, stepsPerEpoch: 3, batchSize: 2, verbose: 0 });
    x.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
