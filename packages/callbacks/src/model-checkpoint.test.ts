import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError, deserializeKerasObject, dispose, lookupClass, memory } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallbackList } from './callback-list';
import { loadCheckpoint } from './checkpoint-file';
import { setDefaultWriter } from './io';
import { ModelCheckpoint } from './model-checkpoint';
import { FakeModel, captureWriter } from './testing';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-mc-'));
});
afterEach(async () => {
  setDefaultWriter(null);
  await rm(dir, { recursive: true, force: true });
});

/** Epoch e sets the weights to [values[e], 10 * values[e]] and logs `val_loss: losses[e]`. */
async function run(cb: ModelCheckpoint, model: FakeModel, losses: number[], steps = 0, extra: Record<string, number> = {}) {
  const list = new CallbackList([cb], { model });
  await list.onTrainBegin();
  for (let e = 0; e < losses.length; e++) {
    await list.onEpochBegin(e);
    model.setValue(e + 1);
    for (let b = 0; b < steps; b++) await list.onTrainBatchEnd(b, { loss: e + b / 10 });
    await list.onEpochEnd(e, { loss: 1, val_loss: losses[e]!, ...extra });
  }
  await list.onTrainEnd();
}

async function savedValue(path: string): Promise<number[]> {
  const c = await loadCheckpoint(path);
  const v = Array.from(c.weights[0]!.tensor.dataSync());
  dispose(c.weights.map((w) => w.tensor));
  return v;
}

describe('ModelCheckpoint', () => {
  it('saves every epoch to a formatted path, in the interim format', async () => {
    const model = new FakeModel();
    const before = memory().numTensors;
    await run(new ModelCheckpoint(join(dir, 'ck', '{epoch:02d}-{val_loss:.2f}.keras')), model, [0.5, 0.25, 0.125]);
    expect(memory().numTensors).toBe(before);
    // 0.125 -> '0.12' (round half to even).
    expect((await readdir(join(dir, 'ck'))).sort()).toEqual(['01-0.50.keras', '02-0.25.keras', '03-0.12.keras']);
    expect(await savedValue(join(dir, 'ck', '02-0.25.keras'))).toEqual([2, 20]);
    const c = await loadCheckpoint(join(dir, 'ck', '03-0.12.keras'));
    expect(c.epoch).toBe(2);
    expect(c.weights.map((w) => w.name)).toEqual(['weight_0']);
    dispose(c.weights.map((w) => w.tensor));
    model.dispose();
  });

  it('with saveBestOnly, overwrites only on improvement (min mode for val_loss)', async () => {
    const model = new FakeModel();
    const out = captureWriter();
    setDefaultWriter(out);
    const path = join(dir, 'best.keras');
    await run(new ModelCheckpoint(path, { saveBestOnly: true, verbose: 1 }), model, [0.5, 0.7, 0.3, 0.3]);
    // Best is epoch 3 (0.3); epoch 4 equal is not an improvement.
    expect(await savedValue(path)).toEqual([3, 30]);
    expect(out.text).toBe(
      [
        `\nEpoch 1: val_loss improved from inf to 0.50000, saving model to ${path}`,
        `\nEpoch 1: finished saving model to ${path}`,
        '\nEpoch 2: val_loss did not improve from 0.50000',
        `\nEpoch 3: val_loss improved from 0.50000 to 0.30000, saving model to ${path}`,
        `\nEpoch 3: finished saving model to ${path}`,
        '\nEpoch 4: val_loss did not improve from 0.30000',
        '',
      ].join('\n'),
    );
    model.dispose();
  });

  it('honours mode max, metric direction and initialValueThreshold', async () => {
    const model = new FakeModel();
    const p1 = join(dir, 'max.keras');
    await run(new ModelCheckpoint(p1, { monitor: 'val_loss', mode: 'max', saveBestOnly: true }), model, [0.5, 0.7, 0.3]);
    expect(await savedValue(p1)).toEqual([2, 20]);
    // In auto mode the direction comes from the compiled metric.
    model.metrics = [{ name: 'score', direction: 'up' }];
    const p2 = join(dir, 'auto.keras');
    const list = new ModelCheckpoint(p2, { monitor: 'val_score', saveBestOnly: true });
    const cbs = new CallbackList([list], { model });
    for (const [e, s] of [0.2, 0.9, 0.4].entries()) {
      model.setValue(e + 1);
      await cbs.onEpochEnd(e, { val_score: s });
    }
    expect(await savedValue(p2)).toEqual([2, 20]);
    // Nothing beats the threshold 0.1: no file.
    const p3 = join(dir, 'thr.keras');
    await run(new ModelCheckpoint(p3, { saveBestOnly: true, initialValueThreshold: 0.1 }), model, [0.5, 0.2]);
    expect((await readdir(dir)).includes('thr.keras')).toBe(false);
    await run(new ModelCheckpoint(p3, { saveBestOnly: true, initialValueThreshold: 0.1 }), model, [0.5, 0.05]);
    expect(await savedValue(p3)).toEqual([2, 20]);
    model.dispose();
  });

  it('saves every saveFreq batches, counting across epochs, with {batch}', async () => {
    const model = new FakeModel();
    await run(new ModelCheckpoint(join(dir, 'e{epoch}b{batch}.weights.h5'), { saveFreq: 2, saveWeightsOnly: true }), model, [1, 1, 1], 3);
    // Batches 0,1,2 | 0,1,2 | 0,1,2 -> counts 1,2*,1 | 2*,1,2* | 1,2*,1
    expect((await readdir(dir)).sort()).toEqual(['e1b2.weights.h5', 'e2b1.weights.h5', 'e2b3.weights.h5', 'e3b2.weights.h5']);
    model.dispose();
  });

  it("calls the model's save / saveWeights when it has them", async () => {
    const model = new FakeModel() as FakeModel & { save: (p: string) => Promise<void>; saveWeights: (p: string) => Promise<void> };
    const calls: string[] = [];
    model.save = vi.fn(async (p: string) => {
      calls.push(`save ${p}`);
    });
    model.saveWeights = vi.fn(async (p: string) => {
      calls.push(`saveWeights ${p}`);
    });
    await run(new ModelCheckpoint(join(dir, 'm{epoch}.keras')), model, [1, 1]);
    await run(new ModelCheckpoint(join(dir, 'w{epoch}.weights.h5'), { saveWeightsOnly: true }), model, [1]);
    expect(calls).toEqual([`save ${join(dir, 'm1.keras')}`, `save ${join(dir, 'm2.keras')}`, `saveWeights ${join(dir, 'w1.weights.h5')}`]);
    model.dispose();
  });

  it('throws clear errors', async () => {
    expect(() => new ModelCheckpoint('a.h5x')).toThrow(/must end in `.keras`.*filepath=a.h5x/);
    expect(() => new ModelCheckpoint('a.keras', { saveWeightsOnly: true })).toThrow(/must end in `.weights.h5`.*filepath=a.keras/);
    expect(() => new ModelCheckpoint('a.keras', { saveFreq: 1.5 })).toThrow("Unrecognized save_freq: 1.5. Expected save_freq are 'epoch' or integer values");
    const model = new FakeModel();
    await expect(run(new ModelCheckpoint(join(dir, '{val_acc:.2f}.keras')), model, [1])).rejects.toThrow(
      /Failed to format this callback filepath: ".*\{val_acc:.2f\}.keras". Reason: KeyError: 'val_acc'/,
    );
    await expect(run(new ModelCheckpoint(join(dir, 'x.keras'), { monitor: 'val_thing', saveBestOnly: true }), model, [1], 0, { val_thing: 1 })).rejects.toThrow(
      /ModelCheckpoint callback received monitor=val_thing, but Keras isn't able to automatically determine/,
    );
    await mkdir(join(dir, 'isdir.keras'));
    await expect(run(new ModelCheckpoint(join(dir, 'isdir.keras')), model, [1])).rejects.toThrow(
      /Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: .*isdir.keras/,
    );
    expect(() => new ModelCheckpoint('a.keras', { saveWeightsOnly: false })).not.toThrow();
    model.dispose();
  });

  it('warns and saves when the monitor is missing with saveBestOnly', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = new FakeModel();
    await run(new ModelCheckpoint(join(dir, 'm.keras'), { monitor: 'val_nope_mc', saveBestOnly: true, mode: 'min' }), model, [1]);
    expect(warn).toHaveBeenCalledWith('UserWarning: Can save best model only with val_nope_mc available.');
    expect(await savedValue(join(dir, 'm.keras'))).toEqual([1, 10]);
    warn.mockRestore();
    model.dispose();
  });

  it('round-trips its config and is registered', () => {
    const cb = new ModelCheckpoint('w.weights.h5', { saveWeightsOnly: true, saveFreq: 10, monitor: 'loss', mode: 'min', saveBestOnly: true, initialValueThreshold: 0.5, verbose: 1 });
    expect(ModelCheckpoint.fromConfig(cb.getConfig()).getConfig()).toEqual(cb.getConfig());
    expect(new ModelCheckpoint('m.keras').getConfig()).toEqual({
      filepath: 'm.keras', monitor: 'val_loss', verbose: 0, save_best_only: false, save_weights_only: false, mode: 'auto', save_freq: 'epoch', initial_value_threshold: null,
    });
    expect(lookupClass('callback', 'ModelCheckpoint')).toBe(ModelCheckpoint);
    const d = deserializeKerasObject<ModelCheckpoint>('callback', { module: 'keras.callbacks', class_name: 'ModelCheckpoint', config: cb.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(ModelCheckpoint);
    expect(d.saveFreq).toBe(10);
    expect(() => new ModelCheckpoint('')).toThrow(ValueError);
  });
});
