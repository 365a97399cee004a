import { describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { History } from './history';
import { FakeModel } from './testing';

describe('History', () => {
  it('records the epoch logs and sets model.history', async () => {
    const model = new FakeModel();
    const list = new CallbackList([], { addHistory: true, model, params: { epochs: 3, steps: 2, verbose: 0 } });
    const history = list.history!;
    model.history = null;
    await list.onTrainBegin();
    await list.onEpochEnd(0, { loss: 0.9, val_loss: 1.0 });
    expect(model.history).toBe(history);
    await list.onEpochEnd(1, { val_loss: 0.8, loss: 0.7 });
    await list.onTrainEnd({ loss: 0.7, val_loss: 0.8 });
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history).toEqual({ loss: [0.9, 0.7], val_loss: [1.0, 0.8] });
    expect(history.params).toEqual({ epochs: 3, steps: 2, verbose: 0 });
    model.dispose();
  });

  it('a reused History restarts `epoch` but keeps appending to `history` (as Keras)', async () => {
    const h = new History();
    await h.onTrainBegin();
    await h.onEpochEnd(0, { loss: 1 });
    await h.onTrainBegin();
    await h.onEpochEnd(0, { loss: 2 });
    expect(h.epoch).toEqual([0]);
    expect(h.history).toEqual({ loss: [1, 2] });
  });
});
