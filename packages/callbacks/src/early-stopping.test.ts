import { ValueError, memory } from '@strata/core';
import { tensorLeak } from '@strata/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Callback } from './callback';
import { CallbackList } from './callback-list';
import { EarlyStopping } from './early-stopping';
import { setDefaultWriter } from './io';
import { FakeModel, captureWriter } from './testing';

/**
 * Drives `fit` the way Keras does: the weights after epoch e are [e, 10e]; `values[e]` is the
 * monitored value. Returns the number of epochs run.
 */
async function fit(cb: Callback, model: FakeModel, values: number[], key = 'val_loss'): Promise<number> {
  model.stopTraining = false;
  const list = new CallbackList([cb], { model, params: { epochs: values.length, steps: 1, verbose: 0 } });
  await list.onTrainBegin();
  let run = 0;
  let logs = {};
  for (let epoch = 0; epoch < values.length; epoch++) {
    await list.onEpochBegin(epoch);
    model.setValue(epoch);
    logs = { loss: 1, [key]: values[epoch]! };
    await list.onEpochEnd(epoch, logs);
    run++;
    if (model.stopTraining) break;
  }
  await list.onTrainEnd(logs);
  return run;
}

describe('EarlyStopping', () => {
  let out: ReturnType<typeof captureWriter>;
  let model: FakeModel;
  beforeEach(() => {
    out = captureWriter();
    setDefaultWriter(out);
    model = new FakeModel();
  });
  afterEach(() => {
    setDefaultWriter(null);
    model.dispose();
  });

  it('defaults', () => {
    const es = new EarlyStopping();
    expect([es.monitor, es.minDelta, es.patience, es.verbose, es.mode, es.baseline]).toEqual(['val_loss', 0, 0, 0, 'auto', null]);
    expect([es.restoreBestWeights, es.startFromEpoch]).toEqual([false, 0]);
  });

  it('patience counts epochs without improvement', async () => {
    const es = new EarlyStopping({ patience: 2 });
    expect(await fit(es, model, [1.0, 0.9, 0.95, 0.92, 0.91, 0.8])).toBe(4);
    expect([es.stoppedEpoch, es.bestEpoch, es.best, es.wait]).toEqual([3, 1, 0.9, 2]);
    expect(out.text).toBe('');
  });

  it('patience 0 stops at the first epoch without improvement, never at epoch 0', async () => {
    expect(await fit(new EarlyStopping(), model, [1.0, 0.5, 0.6, 0.1])).toBe(3);
    expect(await fit(new EarlyStopping({ monitor: 'loss' }), model, [1, 1, 1])).toBe(2);
  });

  it('minDelta: a change smaller than it is no improvement', async () => {
    const es = new EarlyStopping({ minDelta: -0.1, patience: 1 });
    expect(await fit(es, model, [1.0, 0.95, 0.85, 0.84])).toBe(2);
    expect(es.minDelta).toBe(-0.1);
    expect([es.stoppedEpoch, es.best]).toEqual([1, 1.0]);
    const es2 = new EarlyStopping({ minDelta: 0.1, patience: 1 });
    expect(await fit(es2, model, [1.0, 0.85, 0.8, 0.9])).toBe(3);
    expect([es2.stoppedEpoch, es2.bestEpoch]).toEqual([2, 1]);
  });

  it('mode max, and auto picks max for accuracy', async () => {
    const accs = [0.5, 0.6, 0.55, 0.58];
    for (const es of [
      new EarlyStopping({ monitor: 'val_accuracy', patience: 1 }),
      new EarlyStopping({ monitor: 'val_accuracy', patience: 1, mode: 'max' }),
    ]) {
      expect(await fit(es, model, accs, 'val_accuracy')).toBe(3);
      expect([es.stoppedEpoch, es.bestEpoch, es.best]).toEqual([2, 1, 0.6]);
    }
    // mode 'min' on an accuracy: 0.6 is no improvement over 0.5.
    const esMin = new EarlyStopping({ monitor: 'val_accuracy', patience: 0, mode: 'min' });
    expect(await fit(esMin, model, accs, 'val_accuracy')).toBe(2);
  });

  it('auto mode: loss-like names minimize, unknown names raise, model metric directions win', async () => {
    expect(await fit(new EarlyStopping({ monitor: 'val_mae' }), model, [1, 2], 'val_mae')).toBe(2);
    expect(await fit(new EarlyStopping({ monitor: 'val_auc' }), model, [1, 2, 1], 'val_auc')).toBe(3);
    await expect(fit(new EarlyStopping({ monitor: 'score' }), model, [1, 2], 'score')).rejects.toThrow(ValueError);
    model.metrics = [{ name: 'score', direction: 'up' }];
    expect(await fit(new EarlyStopping({ monitor: 'val_score' }), model, [1, 2, 1], 'val_score')).toBe(3);
  });

  it('baseline: an improvement that misses the baseline does not reset the wait', async () => {
    const plain = new EarlyStopping({ patience: 2 });
    expect(await fit(plain, model, [0.9, 0.95, 0.96, 0.97])).toBe(3);
    const withBaseline = new EarlyStopping({ patience: 2, baseline: 0.5 });
    expect(await fit(withBaseline, model, [0.9, 0.95, 0.96, 0.97])).toBe(2);
    expect(withBaseline.stoppedEpoch).toBe(1);
    // Keras returns on every improvement before the patience check, so steady improvement never stops.
    const improving = new EarlyStopping({ patience: 1, baseline: 0.5 });
    expect(await fit(improving, model, [0.9, 0.8, 0.7, 0.6])).toBe(4);
    expect(improving.stoppedEpoch).toBe(0);
  });

  it('startFromEpoch skips the warm-up epochs', async () => {
    const es = new EarlyStopping({ monitor: 'loss', startFromEpoch: 2 });
    expect(await fit(es, model, [1, 2, 3, 4, 5], 'loss')).toBe(4);
    expect([es.stoppedEpoch, es.bestEpoch, es.best]).toEqual([3, 2, 3]);
  });

  it('restoreBestWeights restores the best epoch at the end of training', async () => {
    const es = new EarlyStopping({ patience: 2, restoreBestWeights: true, verbose: 1 });
    expect(await fit(es, model, [1.0, 0.5, 0.7, 0.8, 0.1])).toBe(4);
    expect(model.value()).toBe(1);
    expect(Array.from(model.weights[0]!.dataSync())).toEqual([1, 10]);
    expect(es.bestEpoch).toBe(1);
    expect(es.bestWeights).toBeNull();
    expect(out.text).toBe('Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n');
  });

  it('restoreBestWeights also restores when training was not stopped', async () => {
    const es = new EarlyStopping({ patience: 5, restoreBestWeights: true, verbose: 1 });
    expect(await fit(es, model, [1.0, 0.5, 0.7])).toBe(3);
    expect(model.value()).toBe(1);
    expect(out.text).toBe('Restoring model weights from the end of the best epoch: 2.\n');
  });

  it('restoreBestWeights with a baseline never beaten restores the best epoch seen', async () => {
    const es = new EarlyStopping({ patience: 3, baseline: 0.1, restoreBestWeights: true });
    expect(await fit(es, model, [0.9, 0.7, 0.8, 0.75, 0.6])).toBe(3);
    expect([es.stoppedEpoch, es.bestEpoch, model.value()]).toEqual([2, 1, 1]);
  });

  it('copies weights only on improvement', async () => {
    const es = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    await fit(es, model, [1.0, 0.9, 0.95, 0.8, 0.85]);
    // epochs 0, 1, 3 improved
    expect(model.getWeightsCalls).toBe(3);
    expect(model.value()).toBe(3);
  });

  it('warns once and ignores epochs when the monitored value is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const es = new EarlyStopping({ monitor: 'val_missing', mode: 'min' });
    expect(await fit(es, model, [1, 2, 3])).toBe(3);
    expect(es.wait).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(
      'Early stopping conditioned on metric `val_missing` which is not available. Available metrics are: loss,val_loss',
    );
    warn.mockRestore();
  });

  it('leaks no tensors, including when reused', async () => {
    const es = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    const before = memory().numTensors;
    const leaked = await tensorLeak(async () => {
      await fit(es, model, [1.0, 0.5, 0.7, 0.8, 0.1]);
      await fit(es, model, [0.3, 0.2, 0.1]);
      // A run interrupted before onTrainEnd keeps its copies until the next onTrainBegin.
      await es.onTrainBegin();
      model.setValue(7);
      await es.onEpochEnd(0, { val_loss: 1 });
      expect(es.bestWeights).toHaveLength(1);
      await es.onTrainBegin();
      expect(es.bestWeights).toBeNull();
    });
    expect(leaked).toBe(0);
    expect(memory().numTensors).toBe(before);
  });
});
