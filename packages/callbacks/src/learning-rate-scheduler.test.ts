import { ValueError, tensor } from '@strata/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { setDefaultWriter } from './io';
import { LearningRateScheduler } from './learning-rate-scheduler';
import { FakeModel, captureWriter } from './testing';

const F32_001 = Math.fround(0.01); // 0.009999999776482582, as Keras reads a float32 variable

async function fit(list: CallbackList, model: FakeModel, epochs: number): Promise<void> {
  await list.onTrainBegin();
  for (let epoch = 0; epoch < epochs; epoch++) {
    await list.onEpochBegin(epoch);
    await list.onEpochEnd(epoch, { loss: 1 / (epoch + 1) });
    if (model.stopTraining) break;
  }
  await list.onTrainEnd();
}

describe('LearningRateScheduler', () => {
  afterEach(() => setDefaultWriter(null));

  it('sets the learning rate at epoch begin and logs it at epoch end', async () => {
    const model = new FakeModel();
    const seen: [number, number][] = [];
    const schedule = (epoch: number, lr: number) => {
      seen.push([epoch, lr]);
      return epoch < 2 ? lr : lr * 0.5;
    };
    const list = new CallbackList([new LearningRateScheduler(schedule)], { addHistory: true, model });
    await fit(list, model, 4);
    expect(seen).toEqual([
      [0, F32_001],
      [1, F32_001],
      [2, F32_001],
      [3, Math.fround(F32_001 * 0.5)],
    ]);
    expect(model.optimizer!.learningRate).toBe(Math.fround(F32_001 * 0.5) * 0.5);
    expect(list.history!.history.learning_rate).toEqual([F32_001, F32_001, F32_001 * 0.5, Math.fround(F32_001 * 0.25)]);
    expect(list.history!.history.loss).toEqual([1, 0.5, 1 / 3, 0.25]);
    model.dispose();
  });

  it('keeps the number the schedule returns and prints it like Python', async () => {
    const out = captureWriter();
    setDefaultWriter(out);
    const model = new FakeModel();
    const list = new CallbackList([new LearningRateScheduler((epoch) => [0.001, 0.0001, 1e-5][epoch]!, 1)], { model });
    await fit(list, model, 3);
    expect(out.text).toBe(
      '\nEpoch 1: LearningRateScheduler setting learning rate to 0.001.\n' +
        '\nEpoch 2: LearningRateScheduler setting learning rate to 0.0001.\n' +
        '\nEpoch 3: LearningRateScheduler setting learning rate to 1e-05.\n',
    );
    expect(model.optimizer!.learningRate).toBe(1e-5);
    model.dispose();
  });

  it('reads a tensor learning rate', async () => {
    const model = new FakeModel();
    const lr = tensor(0.5);
    model.optimizer = { learningRate: lr };
    const cb = new LearningRateScheduler((_e, current) => current / 2);
    cb.setModel(model);
    cb.onEpochBegin(0);
    expect(model.optimizer.learningRate).toBe(0.25);
    lr.dispose();
    model.dispose();
  });

  it('rejects bad schedules and optimizers', () => {
    const model = new FakeModel();
    const bad = new LearningRateScheduler((() => 'x') as unknown as () => number);
    bad.setModel(model);
    expect(() => bad.onEpochBegin(0)).toThrow(ValueError);

    const cb = new LearningRateScheduler((_e, lr) => lr);
    model.optimizer = { learningRate: { apply: () => 0.1, getConfig: () => ({}) } };
    cb.setModel(model);
    expect(() => cb.onEpochBegin(0)).toThrow(TypeError);
    model.optimizer = null;
    expect(() => cb.onEpochBegin(0)).toThrow(/learningRate/);
    model.dispose();
  });
});
