import type { CallbackLike, Logs, TrainingParams } from '@strata/core';
import { lookupClass } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { Callback } from './callback';
import { CallbackList } from './callback-list';
import { EarlyStopping } from './early-stopping';
import { History } from './history';
import { LearningRateScheduler } from './learning-rate-scheduler';
import { ProgbarLogger } from './progbar-logger';
import { FakeModel } from './testing';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Recorder extends Callback {
  constructor(
    readonly name: string,
    readonly events: string[],
    readonly delay = 0,
  ) {
    super();
  }
  override async onEpochBegin(epoch: number): Promise<void> {
    this.events.push(`${this.name}:begin:${epoch}`);
    if (this.delay) await tick(this.delay);
    this.events.push(`${this.name}:begin-done:${epoch}`);
  }
  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.delay) await tick(this.delay);
    this.events.push(`${this.name}:end:${epoch}:${Object.keys(logs ?? {}).join(',')}`);
  }
  override onTrainEnd(): void {
    this.events.push(`${this.name}:train-end`);
  }
}

describe('CallbackList', () => {
  it('calls the callbacks in order and awaits each async hook', async () => {
    const events: string[] = [];
    const list = new CallbackList([new Recorder('a', events, 5), new Recorder('b', events)]);
    await list.onEpochBegin(0);
    await list.onEpochEnd(0, { loss: 1 });
    await list.onTrainEnd();
    expect(events).toEqual([
      'a:begin:0',
      'a:begin-done:0',
      'b:begin:0',
      'b:begin-done:0',
      'a:end:0:loss',
      'b:end:0:loss',
      'a:train-end',
      'b:train-end',
    ]);
  });

  it('passes one sorted copy of the logs to every callback', async () => {
    const seen: Logs[] = [];
    const adder: CallbackLike = {
      setModel() {},
      setParams() {},
      onEpochEnd(_e, logs) {
        logs!.extra = 3;
        seen.push(logs!);
      },
    };
    const reader: CallbackLike = {
      setModel() {},
      setParams() {},
      onEpochEnd(_e, logs) {
        seen.push(logs!);
      },
    };
    const list = new CallbackList([adder, reader]);
    const logs = { val_loss: 2, loss: 1, val_accuracy: 0.5, accuracy: 0.25 };
    await list.onEpochEnd(0, logs);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.keys(seen[1]!)).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss', 'extra']);
    expect(Object.keys(logs)).toEqual(['val_loss', 'loss', 'val_accuracy', 'accuracy']);
    // Missing logs become {}.
    await list.onEpochEnd(1);
    expect(seen[3]).toEqual({ extra: 3 });
  });

  it('adds History then ProgbarLogger after the given callbacks, reusing given ones', () => {
    const es = new EarlyStopping();
    const list = new CallbackList([es], { addHistory: true, addProgbar: true });
    expect(list.callbacks.map((c) => c.constructor.name)).toEqual(['EarlyStopping', 'History', 'ProgbarLogger']);
    expect(list.history).toBe(list.callbacks[1]);
    expect(list.progbar).toBe(list.callbacks[2]);

    const history = new History();
    const progbar = new ProgbarLogger();
    const again = new CallbackList([progbar, [history]], { addHistory: true, addProgbar: true });
    expect(again.callbacks).toEqual([progbar, history]);
    expect(again.history).toBe(history);

    expect(new CallbackList().callbacks).toEqual([]);
    expect(new CallbackList([es], { addProgbar: false, addHistory: false }).callbacks).toEqual([es]);
  });

  it('setModel / setParams reach every callback and set model.history', () => {
    const model = new FakeModel();
    const params: TrainingParams = { epochs: 3, steps: 10, verbose: 2 };
    const es = new EarlyStopping();
    let plainModel: unknown = null;
    const plain: CallbackLike = {
      setModel(m) {
        plainModel = m;
      },
      setParams() {},
    };
    const list = new CallbackList([es, plain], { addHistory: true, addProgbar: true, model, params });
    expect(es.model).toBe(model);
    expect(plainModel).toBe(model);
    expect(list.model).toBe(model);
    expect(model.history).toBe(list.history);
    expect(list.history!.params).toBe(params);
    expect(list.progbar!.verbose).toBe(2);
    expect(list.progbar!.epochs).toBe(3);
    expect(list.progbar!.target).toBe(10);
    model.dispose();
  });

  it('append', async () => {
    const events: string[] = [];
    const list = new CallbackList();
    list.append(new Recorder('x', events));
    await list.onTrainEnd();
    expect(events).toEqual(['x:train-end']);
  });

  it('needsBatchLogs: only when a callback reads batch-end logs', () => {
    expect(new CallbackList([new EarlyStopping(), new LearningRateScheduler((_e, lr) => lr)], { addHistory: true }).needsBatchLogs()).toBe(false);

    class TrainBatch extends Callback {
      override onTrainBatchEnd(): void {}
    }
    class LegacyBatch extends Callback {
      override onBatchEnd(): void {}
    }
    class BeginOnly extends Callback {
      override onTrainBatchBegin(): void {}
    }
    expect(new CallbackList([new TrainBatch()]).needsBatchLogs()).toBe(true);
    expect(new CallbackList([new TrainBatch()]).needsBatchLogs('test')).toBe(false);
    expect(new CallbackList([new LegacyBatch()]).needsBatchLogs('train')).toBe(true);
    expect(new CallbackList([new BeginOnly()]).needsBatchLogs()).toBe(false);

    const plain: CallbackLike = { setModel() {}, setParams() {}, onTestBatchEnd() {} };
    expect(new CallbackList([plain]).needsBatchLogs('train')).toBe(false);
    expect(new CallbackList([plain]).needsBatchLogs('test')).toBe(true);

    const withBar = (verbose: number) =>
      new CallbackList([], { addProgbar: true, params: { verbose, epochs: 1, steps: 2 } });
    expect(withBar(1).needsBatchLogs()).toBe(true);
    expect(withBar(2).needsBatchLogs()).toBe(false);
    expect(withBar(1).needsBatchLogs('predict')).toBe(false);
  });

  it('routes train batch hooks to the onBatch* aliases', async () => {
    const calls: string[] = [];
    class Legacy extends Callback {
      override onBatchBegin(batch: number): void {
        calls.push(`begin:${batch}`);
      }
      override onBatchEnd(batch: number, logs?: Logs): void {
        calls.push(`end:${batch}:${logs?.loss}`);
      }
    }
    const list = new CallbackList([new Legacy()]);
    await list.onTrainBatchBegin(0);
    await list.onTrainBatchEnd(0, { loss: 0.5 });
    await list.onTestBatchEnd(0, { loss: 9 });
    expect(calls).toEqual(['begin:0', 'end:0:0.5']);
  });

  it('calls every hook kind', async () => {
    const calls: string[] = [];
    const names = [
      'onTrainBegin',
      'onTrainEnd',
      'onEpochBegin',
      'onEpochEnd',
      'onTrainBatchBegin',
      'onTrainBatchEnd',
      'onTestBegin',
      'onTestEnd',
      'onTestBatchBegin',
      'onTestBatchEnd',
      'onPredictBegin',
      'onPredictEnd',
      'onPredictBatchBegin',
      'onPredictBatchEnd',
    ] as const;
    const spy: CallbackLike = { setModel() {}, setParams() {} };
    for (const n of names) {
      (spy as unknown as Record<string, unknown>)[n] = (...args: unknown[]) => {
        calls.push(`${n}(${args.map((a) => JSON.stringify(a)).join(',')})`);
      };
    }
    const list = new CallbackList([spy]);
    await list.onTrainBegin();
    await list.onEpochBegin(0);
    await list.onTrainBatchBegin(0);
    await list.onTrainBatchEnd(0, { loss: 1 });
    await list.onTestBegin();
    await list.onTestBatchBegin(0);
    await list.onTestBatchEnd(0, { loss: 2 });
    await list.onTestEnd({ loss: 2 });
    await list.onEpochEnd(0, { loss: 1, val_loss: 2 });
    await list.onTrainEnd({ loss: 1 });
    await list.onPredictBegin();
    await list.onPredictBatchBegin(0);
    await list.onPredictBatchEnd(0);
    await list.onPredictEnd();
    expect(calls).toEqual([
      'onTrainBegin({})',
      'onEpochBegin(0,{})',
      'onTrainBatchBegin(0,{})',
      'onTrainBatchEnd(0,{"loss":1})',
      'onTestBegin({})',
      'onTestBatchBegin(0,{})',
      'onTestBatchEnd(0,{"loss":2})',
      'onTestEnd({"loss":2})',
      'onEpochEnd(0,{"loss":1,"val_loss":2})',
      'onTrainEnd({"loss":1})',
      'onPredictBegin({})',
      'onPredictBatchBegin(0,{})',
      'onPredictBatchEnd(0,{})',
      'onPredictEnd({})',
    ]);
  });

  it('registers the callback classes under keras.callbacks', () => {
    for (const name of ['Callback', 'CallbackList', 'History', 'ProgbarLogger', 'EarlyStopping', 'LearningRateScheduler']) {
      expect(lookupClass('callback', name)?.name).toBe(name);
    }
  });
});
