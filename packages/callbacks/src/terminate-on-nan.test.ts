import { RuntimeError, deserializeKerasObject, lookupClass } from '@strata/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { setDefaultWriter } from './io';
import { TerminateOnNaN } from './terminate-on-nan';
import { FakeModel, captureWriter } from './testing';

/** A loop like fit's: stops after the batch that sets stopTraining; returns the batches run. */
async function run(cb: TerminateOnNaN, losses: number[]) {
  const model = new FakeModel();
  const list = new CallbackList([cb], { model });
  let ran = 0;
  let ended = false;
  const end = new CallbackList([cb, { setModel() {}, setParams() {}, onTrainEnd: () => { ended = true; } }], { model });
  await end.onTrainBegin();
  for (const [b, loss] of losses.entries()) {
    ran++;
    await list.onTrainBatchEnd(b, { loss });
    if (model.stopTraining) break;
  }
  await end.onTrainEnd();
  model.dispose();
  return { ran, ended, stopped: model.stopTraining };
}

describe('TerminateOnNaN', () => {
  afterEach(() => setDefaultWriter(null));

  it('stops after the first NaN or infinite loss', async () => {
    const out = captureWriter();
    setDefaultWriter(out);
    expect(await run(new TerminateOnNaN(), [1, 0.5, Number.NaN, 0.1])).toEqual({ ran: 3, ended: true, stopped: true });
    expect(out.text).toBe('Batch 2: Invalid loss, terminating training\n');
    expect(await run(new TerminateOnNaN(), [1, Number.NEGATIVE_INFINITY])).toEqual({ ran: 2, ended: true, stopped: true });
    expect(await run(new TerminateOnNaN(), [1, 1e38, 0])).toEqual({ ran: 3, ended: true, stopped: false });
  });

  it('ignores logs without a loss', async () => {
    const cb = new TerminateOnNaN();
    const model = new FakeModel();
    cb.setModel(model);
    cb.onTrainBatchEnd(0, { accuracy: Number.NaN });
    cb.onTrainBatchEnd(1);
    expect(model.stopTraining).toBe(false);
    model.dispose();
  });

  it('throws a RuntimeError with raiseError', async () => {
    await expect(run(new TerminateOnNaN({ raiseError: true }), [1, Number.POSITIVE_INFINITY])).rejects.toThrow(RuntimeError);
    await expect(run(new TerminateOnNaN({ raiseError: true }), [Number.NaN])).rejects.toThrow(
      'NaN or Inf loss encountered at batch 0. Loss value: nan. Terminating training immediately.',
    );
  });

  it('round-trips its config and is registered', () => {
    const cb = new TerminateOnNaN({ raiseError: true });
    expect(TerminateOnNaN.fromConfig(cb.getConfig()).getConfig()).toEqual({ raise_error: true });
    expect(new TerminateOnNaN().getConfig()).toEqual({ raise_error: false });
    expect(lookupClass('callback', 'TerminateOnNaN')).toBe(TerminateOnNaN);
    expect(deserializeKerasObject('callback', { module: 'keras.callbacks', class_name: 'TerminateOnNaN', config: {}, registered_name: null })).toBeInstanceOf(TerminateOnNaN);
    expect(new TerminateOnNaN().needsBatchLogs('train')).toBe(true);
  });
});
