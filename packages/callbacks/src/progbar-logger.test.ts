import type { Logs } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list';
import { ProgbarLogger, type ProgbarLoggerOptions } from './progbar-logger';
import { FakeModel, captureWriter } from './testing';

interface Run {
  text: string;
}

/** A fit of `epochs` x 3 steps, 100ms per step, through a CallbackList as the models package does. */
async function fitRun(params: { epochs: number; steps: number | null; verbose: number }, opts: ProgbarLoggerOptions = {}): Promise<Run> {
  let ms = 0;
  const writer = captureWriter();
  const progbar = new ProgbarLogger({ writer, now: () => ms, ...opts });
  const model = new FakeModel();
  const list = new CallbackList([progbar], { addHistory: true, model, params });
  await list.onTrainBegin();
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    await list.onEpochBegin(epoch);
    for (let step = 0; step < 3; step++) {
      await list.onTrainBatchBegin(step);
      ms += 100;
      await list.onTrainBatchEnd(step, { loss: 0.5 - 0.1 * step, accuracy: 0.25 * (step + 1) });
    }
    // Validation inside fit is silent.
    await list.onTestBegin();
    await list.onTestBatchEnd(0, { loss: 9 });
    await list.onTestEnd({ loss: 9 });
    const logs: Logs = { val_loss: 0.45, loss: 0.4, val_accuracy: 0.375, accuracy: 0.5 + epoch / 4 };
    await list.onEpochEnd(epoch, logs);
  }
  await list.onTrainEnd();
  model.dispose();
  return { text: writer.text };
}

describe('ProgbarLogger', () => {
  it('verbose 1 without a TTY: an Epoch line and the final bar per epoch', async () => {
    const { text } = await fitRun({ epochs: 2, steps: 3, verbose: 1 });
    expect(text).toBe(
      'Epoch 1/2\n' +
        '3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 100ms/step - accuracy: 0.5000 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n' +
        'Epoch 2/2\n' +
        '3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 100ms/step - accuracy: 0.7500 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n',
    );
  });

  it('verbose 2: one line per epoch', async () => {
    const { text } = await fitRun({ epochs: 2, steps: 3, verbose: 2 });
    expect(text).toBe(
      'Epoch 1/2\n' +
        '3/3 - 0s - 100ms/step - accuracy: 0.5000 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n' +
        'Epoch 2/2\n' +
        '3/3 - 0s - 100ms/step - accuracy: 0.7500 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n',
    );
  });

  it('no Epoch line for a single epoch', async () => {
    const { text } = await fitRun({ epochs: 1, steps: 3, verbose: 2 });
    expect(text).toBe('3/3 - 0s - 100ms/step - accuracy: 0.5000 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n');
  });

  it('verbose 1 in a TTY redraws the line, with Keras escapes', async () => {
    const { text } = await fitRun({ epochs: 1, steps: 3, verbose: 1 }, { dynamicDisplay: true });
    const frames = text.split('\r').filter((f) => f !== '');
    // Steps 1, 2, 3 (100ms apart, over the 50ms interval), then the epoch end.
    expect(frames).toHaveLength(4);
    expect(frames[0]).toBe(
      '\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m 100ms/step - accuracy: 0.2500 - loss: 0.5000' +
        '\b'.repeat(72),
    );
    expect(frames[3]).toBe(
      '\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m0s\x1b[0m 100ms/step - accuracy: 0.5000 - loss: 0.4000 - val_accuracy: 0.3750 - val_loss: 0.4500\n',
    );
  });

  it('unknown steps: the first epoch counts them', async () => {
    const { text } = await fitRun({ epochs: 2, steps: null, verbose: 1 }, { dynamicDisplay: true, ansi: false });
    const frames = text.split('\r').filter((f) => f !== '');
    expect(frames[0]).toBe('Epoch 1/2\n');
    expect(frames[1]).toMatch(/^ {6}1\/Unknown 0s 100ms\/step - accuracy: 0\.2500 - loss: 0\.5000/);
    expect(frames[4]).toMatch(/^3\/3 ━{20} 0s 100ms\/step - accuracy: 0\.5000 .*\nEpoch 2\/2\n$/);
    // The second epoch knows the target.
    expect(frames[5]).toMatch(/^1\/3 ━{20} 0s 100ms\/step/);
  });

  it('evaluate and predict show their own bars', async () => {
    let ms = 0;
    const writer = captureWriter();
    const progbar = new ProgbarLogger({ writer, now: () => ms });
    const list = new CallbackList([progbar], { params: { epochs: 1, steps: 2, verbose: 1 } });
    await list.onTestBegin();
    for (let i = 0; i < 2; i++) {
      ms += 5;
      await list.onTestBatchEnd(i, { loss: 1 });
    }
    await list.onTestEnd({ loss: 0.75, accuracy: 0.5 });
    await list.onPredictBegin();
    for (let i = 0; i < 2; i++) {
      ms += 2;
      await list.onPredictBatchEnd(i, { outputs: 1 });
    }
    await list.onPredictEnd();
    expect(writer.text).toBe(
      // The batch logs fixed the key order (loss first).
      '2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 5ms/step - loss: 0.7500 - accuracy: 0.5000\n' + '2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step\n',
    );
  });

  it('verbose 0 prints nothing', async () => {
    const { text } = await fitRun({ epochs: 2, steps: 3, verbose: 0 });
    expect(text).toBe('');
  });
});
