// The wasm backend package is registered here directly; @strata/backend-wasm will wrap it.
import '@tensorflow/tfjs-backend-wasm';
import { Callback } from '@strata/callbacks';
import { type Tensor, getBackend, listBackends, ops, random, setBackend, tidy } from '@strata/core';
import { Dense, Input, clearSession } from '@strata/layers';
import { SGD } from '@strata/optimizers';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { Sequential } from './sequential';

describe('switching backends during training', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('trains on cpu, moves to wasm after epoch 1 and keeps training the same weights', async () => {
    clearSession();
    expect(listBackends()).toContain('wasm');
    await setBackend('cpu');
    const x = random.uniform([64, 3], -1, 1, { seed: 9 });
    const y = tidy(() => ops.sum(ops.multiply(x, [0.5, -1, 2]), 1, true));
    const model = new Sequential([Input({ shape: [3] }), new Dense(4, { activation: 'tanh' }), new Dense(1)]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });

    let atSwitch: Tensor[] = [];
    const backends: string[] = [];
    class SwitchToWasm extends Callback {
      override async onEpochBegin() {
        backends.push(getBackend());
      }
      override async onEpochEnd(epoch: number) {
        if (epoch !== 0) return;
        atSwitch = model.getWeights();
        await setBackend('wasm');
        // The variables now live on wasm and still hold the trained values.
        model.getWeights().forEach((w, i) => {
          expectAllClose(w, atSwitch[i]!, { atol: 0, rtol: 0 });
        });
      }
    }
    const history = await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0, callbacks: [new SwitchToWasm()], seed: 4 });
    expect(backends).toEqual(['cpu', 'wasm', 'wasm', 'wasm', 'wasm', 'wasm']);
    const loss = history.history.loss!;
    // Training continued from the cpu weights: the loss keeps falling after the switch.
    expect(loss[5]!).toBeLessThan(loss[1]!);
    expect(loss[1]!).toBeLessThan(loss[0]!);
    const moved = model.getWeights();
    expect(moved.some((w, i) => Math.abs(w.dataSync()[0]! - atSwitch[i]!.dataSync()[0]!) > 0)).toBe(true);
  });
});
