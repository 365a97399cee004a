// Training on webgpu: a small CNN with an Embedding -> LSTM side branch follows the same trajectory as
// on cpu, and switching cpu -> wasm -> webgpu between epochs of `fit` ends where staying on cpu ends.
import '@strata/backend-wasm';
import { type Tensor, getBackend, memory, setBackend, setRandomSeed, tensor, tidy } from '@strata/core';
import {
  Concatenate,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Embedding,
  Flatten,
  Input,
  LSTM,
  MaxPooling2D,
  SeparableConv2D,
  clearSession,
} from '@strata/layers';
import { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index';

const N = 24;

function lcg(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  });
}

/** Images, token sequences and 3-class labels that depend on both (so both branches matter). */
function data(): { x: Tensor[]; y: Tensor } {
  const img = lcg(N * 8 * 8, 3).map((v) => v * 2 - 1);
  const tok = lcg(N * 6, 5).map((v) => Math.floor(v * 12));
  const labels = Array.from({ length: N }, (_, i) => {
    let s = 0;
    for (let j = 0; j < 64; j++) s += img[i * 64 + j]!;
    return ((s > 0 ? 1 : 0) + (tok[i * 6]! % 2)) % 3;
  });
  return {
    x: [tensor(img, [N, 8, 8, 1]), tensor(tok, [N, 6], 'int32')],
    y: tensor(labels, [N], 'int32'),
  };
}

function build(): Model {
  clearSession();
  setRandomSeed(1234);
  const image = Input({ shape: [8, 8, 1] });
  const tokens = Input({ shape: [6], dtype: 'int32' });
  let a = new Conv2D(4, 3, { padding: 'same', activation: 'relu' }).apply(image);
  a = new MaxPooling2D(2).apply(a);
  a = new DepthwiseConv2D(3, { padding: 'same', depthMultiplier: 2 }).apply(a);
  a = new SeparableConv2D(4, 2, { strides: 2, activation: 'relu' }).apply(a);
  a = new Flatten().apply(a);
  let b = new Embedding(12, 4).apply(tokens);
  b = new LSTM(5).apply(b);
  const out = new Dense(3, { activation: 'softmax' }).apply(new Concatenate().apply([a, b] as never));
  const model = new Model({ inputs: [image, tokens], outputs: out as never });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  return model;
}

/** The weights as numbers, read asynchronously (WebGPU in Node has no synchronous reads). */
async function snapshot(m: Model): Promise<number[][]> {
  const ws = m.getWeights();
  const out = await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  for (const w of ws) w.dispose();
  return out;
}

const EPOCHS = 6;

async function train(backendAtEpoch: (epoch: number) => string | null): Promise<{ loss: number[]; weights: number[][]; used: string[] }> {
  await setBackend('cpu');
  const model = build();
  const { x, y } = data();
  const used: string[] = [];
  const switcher = {
    setModel() {},
    setParams() {},
    async onEpochBegin(epoch: number) {
      const name = backendAtEpoch(epoch);
      if (name != null) await setBackend(name);
      used.push(getBackend());
    },
  };
  const history = await model.fit(x, y, { epochs: EPOCHS, batchSize: 8, verbose: 0, seed: 7, callbacks: [switcher as never] });
  const weights = await snapshot(model);
  tidy(() => {
    for (const t of [...x, y]) t.dispose();
  });
  model.dispose?.();
  return { loss: history.history.loss!, weights, used };
}

describe('training on webgpu', () => {
  beforeAll(async () => setBackend('cpu'));
  afterAll(async () => setBackend('cpu'));

  let onCpu: Awaited<ReturnType<typeof train>>;

  it('the CNN + Embedding/LSTM model trains on cpu (the reference) and its loss falls', async () => {
    onCpu = await train(() => 'cpu');
    expect(onCpu.loss[EPOCHS - 1]!).toBeLessThan(onCpu.loss[0]!);
  }, 300_000);

  it('the same seeded run on webgpu has the same losses and final weights', async () => {
    const onGpu = await train(() => 'webgpu');
    await setBackend('cpu');
    expect(onGpu.used).toEqual(Array(EPOCHS).fill('webgpu'));
    expectAllClose(onGpu.loss, onCpu.loss, { atol: 1e-4, rtol: 1e-3 });
    onGpu.weights.forEach((w, i) => {
      expectAllClose(w, onCpu.weights[i]!, { atol: 1e-3, rtol: 1e-3 });
    });
    expect(onGpu.loss[EPOCHS - 1]!).toBeLessThan(onGpu.loss[0]!);
  }, 300_000);

  it('switching cpu -> wasm -> webgpu between epochs of fit ends with the weights of staying on cpu', async () => {
    const swapped = await train((epoch) => (epoch < 2 ? 'cpu' : epoch < 4 ? 'wasm' : 'webgpu'));
    await setBackend('cpu');
    expect(swapped.used).toEqual(['cpu', 'cpu', 'wasm', 'wasm', 'webgpu', 'webgpu']);
    expectAllClose(swapped.loss.slice(0, 2), onCpu.loss.slice(0, 2), { atol: 0, rtol: 0 });
    expectAllClose(swapped.loss, onCpu.loss, { atol: 1e-4, rtol: 1e-3 });
    swapped.weights.forEach((w, i) => {
      expectAllClose(w, onCpu.weights[i]!, { atol: 1e-3, rtol: 1e-3 });
    });
  }, 300_000);

  it('switching webgpu -> cpu between epochs hands weights and optimizer state over (no synchronous reads in Node)', async () => {
    const swapped = await train((epoch) => (epoch < 3 ? 'webgpu' : 'cpu'));
    expect(swapped.used).toEqual(['webgpu', 'webgpu', 'webgpu', 'cpu', 'cpu', 'cpu']);
    expectAllClose(swapped.loss, onCpu.loss, { atol: 1e-4, rtol: 1e-3 });
    swapped.weights.forEach((w, i) => {
      expectAllClose(w, onCpu.weights[i]!, { atol: 1e-3, rtol: 1e-3 });
    });
  }, 300_000);

  it('training steps on webgpu leak no tensors', async () => {
    await setBackend('webgpu');
    const model = build();
    const { x, y } = data();
    // The first epoch creates the optimizer slots; later epochs must not add anything.
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, seed: 1 });
    const after1 = memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 1 });
    expect(memory().numTensors).toBe(after1);
    for (const t of [...x, y]) t.dispose();
    model.dispose?.();
    await setBackend('cpu');
  }, 300_000);
});
