import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logs, ValueError, Variable, lookupClass, memory, tensor } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallbackList } from '../callback-list';
import { FakeModel } from '../testing';
import { TensorBoard } from './tensorboard';
import { type DecodedEvent, decodeEvent, histogramOf, readEventDir, readRecords, scalars } from './testing';

interface FitPlan {
  epochs: number;
  steps: number;
  /** Aggregated training logs after batch `step` of `epoch`. */
  batchLogs?: (epoch: number, step: number) => Logs;
  /** Training logs at the end of `epoch`. */
  epochLogs: (epoch: number) => Logs;
  /** Validation logs of `epoch` (runs the test hooks, like `fit` with validation data). */
  valLogs?: (epoch: number) => Logs;
  /** Called after each training batch (e.g. to advance a fake optimizer). */
  afterBatch?: () => void;
  /** Called before `onEpochEnd` (e.g. to change the weights). */
  beforeEpochEnd?: (epoch: number) => void;
  /** Called after each `onEpochEnd`. */
  afterEpoch?: (epoch: number) => Promise<void>;
}

/** Drives the callback hooks in the order `Model.fit` calls them. */
async function fit(cb: TensorBoard, model: FakeModel, plan: FitPlan): Promise<void> {
  const list = new CallbackList([cb], { model, params: { epochs: plan.epochs, steps: plan.steps, verbose: 0 } });
  await list.onTrainBegin({});
  const wantBatchLogs = list.needsBatchLogs('train');
  let last: Logs = {};
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    await list.onEpochBegin(epoch, {});
    for (let step = 0; step < plan.steps; step++) {
      await list.onTrainBatchBegin(step, {});
      plan.afterBatch?.();
      await list.onTrainBatchEnd(step, wantBatchLogs ? (plan.batchLogs?.(epoch, step) ?? {}) : {});
    }
    const logs = { ...plan.epochLogs(epoch) };
    if (plan.valLogs != null) {
      const val = plan.valLogs(epoch);
      await list.onTestBegin({});
      await list.onTestBatchBegin(0, {});
      await list.onTestBatchEnd(0, {});
      await list.onTestEnd(val);
      for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
    }
    plan.beforeEpochEnd?.(epoch);
    await list.onEpochEnd(epoch, logs);
    last = logs;
    await plan.afterEpoch?.(epoch);
  }
  await list.onTrainEnd(last);
}

const f32 = Math.fround;

function tags(events: readonly DecodedEvent[]): string[] {
  return events.flatMap((e) => e.values.map((v) => v.tag));
}

describe('TensorBoard', () => {
  let dir: string;
  let model: FakeModel;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-tb-'));
    model = new FakeModel();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('has the Keras defaults', () => {
    const tb = new TensorBoard();
    expect([tb.logDir, tb.histogramFreq, tb.writeGraph, tb.writeImages, tb.writeStepsPerSecond]).toEqual([
      'logs',
      0,
      true,
      false,
      false,
    ]);
    expect([tb.updateFreq, tb.embeddingsFreq, tb.embeddingsMetadata]).toEqual(['epoch', 0, null]);
    expect([tb.trainLogDir, tb.validationLogDir]).toEqual(['logs/train', 'logs/validation']);
    expect(new TensorBoard({ updateFreq: 'batch' }).updateFreq).toBe(1);
    expect(new TensorBoard({ updateFreq: 5, logDir: 'runs/' }).updateFreq).toBe(5);
    expect(new TensorBoard({ logDir: 'runs/' }).trainLogDir).toBe('runs/train');
    expect(new TensorBoard({ profileBatch: 0, writeGraph: false, embeddingsFreq: 0 }).writeGraph).toBe(false);
  });

  it('refuses the options it cannot honour, naming them', () => {
    expect(() => new TensorBoard({ writeImages: true })).toThrow(ValueError);
    expect(() => new TensorBoard({ writeImages: true })).toThrow(/writeImages=true is not supported/);
    expect(() => new TensorBoard({ profileBatch: 5 })).toThrow(/Profiling is not yet available .* profile_batch=5 \(must be 0\)/);
    expect(() => new TensorBoard({ profileBatch: [10, 20] })).toThrow(/profile_batch=\(10, 20\) \(must be 0\)/);
    expect(() => new TensorBoard({ profileBatch: '1,2' })).toThrow(/profile_batch='1,2'/);
    expect(() => new TensorBoard({ profileBatch: [] })).toThrow(/profile_batch must be a non-negative integer .* Found: \(\)/);
    expect(() => new TensorBoard({ embeddingsFreq: 1 })).toThrow(/embeddingsFreq=1 \(must be 0\)/);
    expect(() => new TensorBoard({ histogramFreq: -1 })).toThrow(/histogramFreq=-1/);
    expect(() => new TensorBoard({ histogramFreq: 1.5 })).toThrow(/non-negative integer/);
    expect(() => new TensorBoard({ updateFreq: 0 })).toThrow(/updateFreq=0/);
    expect(() => new TensorBoard({ updateFreq: 'step' as 'epoch' })).toThrow(/'batch', 'epoch' or a positive integer/);
  });

  it('is registered under keras.callbacks', () => {
    expect(lookupClass('callback', 'TensorBoard')).toBe(TensorBoard);
  });

  it('writes epoch scalars to train and validation, with the learning rate', async () => {
    const tb = new TensorBoard({ logDir: dir });
    const before = Date.now() / 1000;
    const loss = [0.9, 0.55, 0.31];
    const acc = [0.5, 0.7, 0.8125];
    await fit(tb, model, {
      epochs: 3,
      steps: 2,
      epochLogs: (e) => ({ loss: loss[e]!, accuracy: acc[e]! }),
      valLogs: (e) => ({ loss: loss[e]! + 0.1, accuracy: acc[e]! - 0.1 }),
    });
    const after = Date.now() / 1000;

    const train = await readEventDir(join(dir, 'train'));
    expect(train.files).toHaveLength(1);
    expect(train.files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\.[^/]+\.\d+\.\d+\.v2$/);
    const first = train.events[0]!;
    expect(first.fileVersion).toBe('brain.Event:2');
    expect(first.values).toEqual([]);
    expect(first.wallTime).toBeGreaterThanOrEqual(Math.floor(before));
    expect(first.wallTime).toBeLessThanOrEqual(after + 1);
    expect(Number(train.files[0]!.split('.')[3])).toBe(Math.floor(first.wallTime));
    for (const e of train.events) expect(e.wallTime).toBeGreaterThanOrEqual(first.wallTime);

    // Logs arrive with sorted keys (CallbackList); the learning rate is appended after them.
    const expectedTrain = [0, 1, 2].flatMap((e) => [
      { tag: 'epoch_accuracy', step: e, value: f32(acc[e]!) },
      { tag: 'epoch_loss', step: e, value: f32(loss[e]!) },
      { tag: 'epoch_learning_rate', step: e, value: f32(0.01) },
    ]);
    expect(scalars(train.events)).toEqual(expectedTrain);
    // One summary value per event, as tf.summary writes them.
    for (const e of train.events.slice(1)) expect(e.values).toHaveLength(1);

    const val = await readEventDir(join(dir, 'validation'));
    expect(val.files).toHaveLength(1);
    expect(val.events[0]!.fileVersion).toBe('brain.Event:2');
    const expectedVal = [0, 1, 2].flatMap((e) => [
      { tag: 'epoch_accuracy', step: e, value: f32(acc[e]! - 0.1) },
      { tag: 'epoch_loss', step: e, value: f32(loss[e]! + 0.1) },
    ]);
    // The fake optimizer has no `iterations`: no evaluation_*_vs_iterations summaries.
    expect(scalars(val.events)).toEqual(expectedVal);
    expect(tags(train.events).some((t) => t.startsWith('batch_'))).toBe(false);
  });

  it("writes batch scalars every batch with updateFreq 'batch', steps counted over the whole fit", async () => {
    const tb = new TensorBoard({ logDir: dir, updateFreq: 'batch' });
    expect(tb.needsBatchLogs('train')).toBe(true);
    expect(tb.needsBatchLogs('test')).toBe(false);
    const batchLoss = (e: number, s: number) => 1 / (1 + e * 3 + s);
    await fit(tb, model, {
      epochs: 2,
      steps: 3,
      batchLogs: (e, s) => ({ loss: batchLoss(e, s), accuracy: (e * 3 + s) / 10 }),
      epochLogs: (e) => ({ loss: batchLoss(e, 2) }),
    });
    const got = scalars((await readEventDir(join(dir, 'train'))).events);
    const batch = got.filter((s) => s.tag.startsWith('batch_'));
    const expected = [];
    for (let e = 0; e < 2; e++) {
      for (let s = 0; s < 3; s++) {
        const step = e * 3 + s + 1;
        expected.push({ tag: 'batch_accuracy', step, value: f32((e * 3 + s) / 10) });
        expected.push({ tag: 'batch_loss', step, value: f32(batchLoss(e, s)) });
      }
    }
    expect(batch).toEqual(expected);
    expect(got.filter((s) => s.tag === 'epoch_loss').map((s) => [s.step, s.value])).toEqual([
      [0, f32(batchLoss(0, 2))],
      [1, f32(batchLoss(1, 2))],
    ]);
  });

  it('writes batch scalars every N batches with updateFreq N, and none with epoch', async () => {
    const tb = new TensorBoard({ logDir: join(dir, 'n'), updateFreq: 2 });
    await fit(tb, model, {
      epochs: 2,
      steps: 3,
      batchLogs: (e, s) => ({ loss: e * 3 + s }),
      epochLogs: () => ({ loss: 1 }),
    });
    const batch = scalars((await readEventDir(join(dir, 'n', 'train'))).events).filter((s) => s.tag === 'batch_loss');
    // Global batches 2, 4, 6 are batches (0, 1), (1, 0), (1, 2).
    expect(batch.map((s) => [s.step, s.value])).toEqual([
      [2, 1],
      [4, 3],
      [6, 5],
    ]);

    const epochOnly = new TensorBoard({ logDir: join(dir, 'e') });
    expect(epochOnly.needsBatchLogs('train')).toBe(false);
    // Even if the loop passes batch logs, 'epoch' writes none of them.
    const list = new CallbackList([epochOnly], { model });
    await list.onTrainBegin({});
    await list.onTrainBatchBegin(0, {});
    await list.onTrainBatchEnd(0, { loss: 3 });
    await list.onTrainEnd({});
    const { events } = await readEventDir(join(dir, 'e', 'train'));
    expect(events).toHaveLength(1);
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
  });

  it('writes evaluation_<name>_vs_iterations at test end, stepped by the optimizer iterations', async () => {
    const iterations = new Variable({ initializer: tensor(0, [], 'int32'), dtype: 'int32', name: 'iterations' });
    const optimizer = { learningRate: tensor(0.25), iterations };
    model.optimizer = optimizer;
    try {
      const tb = new TensorBoard({ logDir: dir });
      await fit(tb, model, {
        epochs: 2,
        steps: 3,
        afterBatch: () => {
          const next = tensor(iterations.dataSync()[0]! + 1, [], 'int32');
          iterations.assign(next);
          next.dispose();
        },
        epochLogs: (e) => ({ loss: 2 - e }),
        valLogs: (e) => ({ loss: 3 - e, mae: 0.5 / (e + 1) }),
      });
      const val = scalars((await readEventDir(join(dir, 'validation'))).events);
      expect(val).toEqual([
        { tag: 'evaluation_loss_vs_iterations', step: 3, value: 3 },
        { tag: 'evaluation_mae_vs_iterations', step: 3, value: 0.5 },
        { tag: 'epoch_loss', step: 0, value: 3 },
        { tag: 'epoch_mae', step: 0, value: 0.5 },
        { tag: 'evaluation_loss_vs_iterations', step: 6, value: 2 },
        { tag: 'evaluation_mae_vs_iterations', step: 6, value: f32(0.25) },
        { tag: 'epoch_loss', step: 1, value: 2 },
        { tag: 'epoch_mae', step: 1, value: f32(0.25) },
      ]);
      const train = scalars((await readEventDir(join(dir, 'train'))).events);
      // The learning rate read from a scalar tensor.
      expect(train.filter((s) => s.tag === 'epoch_learning_rate').map((s) => s.value)).toEqual([0.25, 0.25]);
    } finally {
      optimizer.learningRate.dispose();
      iterations.dispose();
    }
  });

  it('writes no learning rate without an optimizer, and nothing at all for empty epoch logs', async () => {
    model.optimizer = null;
    const tb = new TensorBoard({ logDir: dir });
    await fit(tb, model, { epochs: 2, steps: 1, epochLogs: (e): Logs => (e === 0 ? { loss: 4 } : {}) });
    const { events } = await readEventDir(join(dir, 'train'));
    expect(scalars(events)).toEqual([{ tag: 'epoch_loss', step: 0, value: 4 }]);
  });

  it('writes weight histograms every histogramFreq epochs, tagged by weight path', async () => {
    const kernel = new Variable({ initializer: tensor([[0, 1, 2], [3, 4, 5]]), name: 'kernel', path: 'dense/kernel' });
    const bias = new Variable({ initializer: tensor([0.5, 0.5, 0.5]), name: 'bias', path: 'dense/bias' });
    const odd = new Variable({ initializer: tensor([-1, 1]), name: 'w', path: 'block:0/w' });
    const withLayers = Object.assign(model, {
      layers: [{ name: 'dense', weights: [kernel, bias] }, { name: 'flatten', weights: [] }, { name: 'block', weights: [odd] }],
    });
    const snapshots: number[][][] = [];
    const numTensors = memory().numTensors;
    try {
      const tb = new TensorBoard({ logDir: dir, histogramFreq: 2 });
      await fit(tb, withLayers, {
        epochs: 3,
        steps: 1,
        epochLogs: () => ({ loss: 1 }),
        beforeEpochEnd: (e) => {
          const next = tensor([[0, 1, 2], [3, 4, 5 + 10 * e]]);
          kernel.assign(next);
          next.dispose();
          snapshots.push([Array.from(kernel.dataSync()), Array.from(bias.dataSync()), Array.from(odd.dataSync())]);
        },
      });
      expect(memory().numTensors).toBe(numTensors);
      const { events } = await readEventDir(join(dir, 'train'));
      const hist = events.filter((e) => e.values[0]?.pluginName === 'histograms');
      expect(hist.map((e) => [e.values[0]!.tag, e.step])).toEqual([
        ['dense/kernel/histogram', 0],
        ['dense/bias/histogram', 0],
        ['block_0/w/histogram', 0],
        ['dense/kernel/histogram', 2],
        ['dense/bias/histogram', 2],
        ['block_0/w/histogram', 2],
      ]);
      for (const [i, e] of hist.entries()) {
        const epoch = e.step;
        const values = snapshots[epoch]![i % 3]!;
        const rows = histogramOf(e.values[0]!);
        expect(rows).toHaveLength(30);
        expect(rows.reduce((s, r) => s + r[2]!, 0)).toBe(values.length);
        const min = Math.min(...values);
        const max = Math.max(...values);
        if (min === max) {
          // All equal: every edge is the value, the last bucket holds all of them.
          expect(rows.every((r) => r[0] === max && r[1] === max)).toBe(true);
          expect(rows[29]![2]).toBe(values.length);
        } else {
          const width = (max - min) / 30;
          expect(rows[0]![0]).toBe(min);
          expect(rows[29]![1]).toBe(max);
          for (const x of values) {
            const b = Math.min(Math.floor((x - min) / width), 29);
            expect(rows[b]![0]).toBeLessThanOrEqual(x);
          }
          const counts = new Array<number>(30).fill(0);
          for (const x of values) counts[Math.min(Math.floor((x - min) / width), 29)]! += 1;
          expect(rows.map((r) => r[2])).toEqual(counts);
        }
      }
      // Epoch 2's kernel holds 25: its last bucket is [25 - 25/30, 25] with just that value.
      const k2 = histogramOf(hist[3]!.values[0]!);
      expect(k2[29]).toEqual([0 + (25 / 30) * 29, 25, 1]);
      expect(k2[0]).toEqual([0, 25 / 30, 1]);
    } finally {
      kernel.dispose();
      bias.dispose();
      odd.dispose();
    }
  });

  it('refuses histograms for a model without layers, naming the option', async () => {
    const tb = new TensorBoard({ logDir: dir, histogramFreq: 1 });
    await expect(fit(tb, model, { epochs: 1, steps: 1, epochLogs: () => ({ loss: 1 }) })).rejects.toThrow(
      /histogramFreq=1 needs the model's layers/,
    );
  });

  it('logs steps per second per batch and per epoch', async () => {
    let clock = 100;
    vi.spyOn(performance, 'now').mockImplementation(() => clock * 1000);
    const tb = new TensorBoard({ logDir: dir, writeStepsPerSecond: true, updateFreq: 'batch' });
    const iterations = { value: 0 };
    const optimizer = {
      learningRate: 0.1,
      get iterations() {
        return iterations.value;
      },
    };
    model.optimizer = optimizer;
    await fit(tb, model, {
      epochs: 2,
      steps: 2,
      batchLogs: () => ({ loss: 1 }),
      // Batches take 0.25 s (epoch 0) then 0.5 s (epoch 1); 1 s passes between batches.
      afterBatch: () => {
        iterations.value += 1;
        clock += iterations.value <= 2 ? 0.25 : 0.5;
      },
      epochLogs: () => ({ loss: 1 }),
      afterEpoch: async () => {
        clock += 1;
      },
    });
    const got = scalars((await readEventDir(join(dir, 'train'))).events);
    expect(got.filter((s) => s.tag === 'batch_steps_per_second').map((s) => [s.step, s.value])).toEqual([
      [1, 4],
      [2, 4],
      [3, 2],
      [4, 2],
    ]);
    // Epoch 0: 2 iterations in 0.5 s; epoch 1: 2 iterations in 1 s (float32 arithmetic).
    expect(got.filter((s) => s.tag === 'epoch_steps_per_second').map((s) => [s.step, s.value])).toEqual([
      [0, 4],
      [1, 2],
    ]);
    // Appended after the learning rate, as Keras adds it.
    expect(got.filter((s) => s.step === 0 && s.tag.startsWith('epoch_')).map((s) => s.tag)).toEqual([
      'epoch_loss',
      'epoch_learning_rate',
      'epoch_steps_per_second',
    ]);
  });

  it('appends to the files as training goes, flushing at each epoch end', async () => {
    const tb = new TensorBoard({ logDir: dir });
    const seen: { size: number; tags: string[] }[] = [];
    await fit(tb, model, {
      epochs: 2,
      steps: 1,
      epochLogs: (e) => ({ loss: e }),
      afterEpoch: async () => {
        const path = tb.eventFiles.train!;
        const data = new Uint8Array(await readFile(path));
        seen.push({ size: (await stat(path)).size, tags: tags(readRecords(data).map(decodeEvent)) });
      },
    });
    expect(seen[0]!.tags).toEqual(['epoch_loss', 'epoch_learning_rate']);
    expect(seen[1]!.tags).toEqual(['epoch_loss', 'epoch_learning_rate', 'epoch_loss', 'epoch_learning_rate']);
    expect(seen[1]!.size).toBeGreaterThan(seen[0]!.size);
    const final = await readEventDir(join(dir, 'train'));
    expect(final.events).toHaveLength(5);
  });

  it('starts new event files for a new model or a new fit, as Keras does', async () => {
    const tb = new TensorBoard({ logDir: dir });
    await fit(tb, model, { epochs: 1, steps: 1, epochLogs: () => ({ loss: 1 }) });
    await fit(tb, model, { epochs: 1, steps: 1, epochLogs: () => ({ loss: 2 }) });
    const files = (await readdir(join(dir, 'train'))).sort();
    expect(files).toHaveLength(2);
    const { events } = await readEventDir(join(dir, 'train'));
    expect(events.filter((e) => e.fileVersion === 'brain.Event:2')).toHaveLength(2);
    expect(scalars(events).filter((s) => s.tag === 'epoch_loss').map((s) => s.value).sort()).toEqual([1, 2]);
  });
});
