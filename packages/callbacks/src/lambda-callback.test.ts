import { ValueError, lookupClass } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { LambdaCallback } from './lambda-callback';
import { FakeModel } from './testing';

describe('LambdaCallback', () => {
  it('calls the given functions with the hook arguments, in loop order', async () => {
    const calls: string[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => {
        calls.push('train_begin');
      },
      onEpochBegin: (e) => {
        calls.push(`epoch_begin ${e}`);
      },
      onTrainBatchEnd: (b, logs) => {
        calls.push(`batch_end ${b} ${logs?.loss}`);
      },
      onEpochEnd: async (e, logs) => {
        await Promise.resolve();
        calls.push(`epoch_end ${e} ${logs?.loss}`);
      },
      onTestEnd: (logs) => {
        calls.push(`test_end ${logs?.loss}`);
      },
      onTrainEnd: () => {
        calls.push('train_end');
      },
    });
    const model = new FakeModel();
    const list = new CallbackList([cb], { model });
    await list.onTrainBegin();
    for (let e = 0; e < 2; e++) {
      await list.onEpochBegin(e);
      await list.onTrainBatchBegin(0);
      await list.onTrainBatchEnd(0, { loss: e + 0.5 });
      await list.onTestBegin();
      await list.onTestEnd({ loss: 9 });
      await list.onEpochEnd(e, { loss: e + 0.25 });
    }
    await list.onTrainEnd();
    expect(calls).toEqual([
      'train_begin',
      'epoch_begin 0',
      'batch_end 0 0.5',
      'test_end 9',
      'epoch_end 0 0.25',
      'epoch_begin 1',
      'batch_end 0 1.5',
      'test_end 9',
      'epoch_end 1 1.25',
      'train_end',
    ]);
    expect(cb.needsBatchLogs('train')).toBe(true);
    expect(cb.needsBatchLogs('test')).toBe(false);
    expect(new LambdaCallback({ onEpochEnd: () => {} }).needsBatchLogs('train')).toBe(false);
    model.dispose();
  });

  it('supports the onBatchEnd alias and leaves other hooks as no-ops', async () => {
    const seen: number[] = [];
    const cb = new LambdaCallback({ onBatchEnd: (b) => void seen.push(b) });
    await cb.onTrainBatchEnd(3, {});
    await cb.onEpochEnd(0, {});
    expect(seen).toEqual([3]);
  });

  it('rejects unknown hooks and non-functions, and is registered', () => {
    expect(() => new LambdaCallback({ onEpochFinish: () => {} } as never)).toThrow(ValueError);
    expect(() => new LambdaCallback({ onEpochFinish: () => {} } as never)).toThrow(/LambdaCallback: unknown hook 'onEpochFinish'/);
    expect(() => new LambdaCallback({ onEpochEnd: 3 } as never)).toThrow("LambdaCallback: 'onEpochEnd' must be a function, got number.");
    expect(lookupClass('callback', 'LambdaCallback')).toBe(LambdaCallback);
  });
});
