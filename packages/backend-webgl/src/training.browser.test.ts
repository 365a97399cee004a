// Training on webgl in headless Chromium: a small CNN with an Embedding -> LSTM side branch follows
// the same trajectory as on cpu, a cpu -> webgl switch in the middle of `fit` ends where staying on
// cpu ends, and warmUp compiles the programs up front without changing anything else.
import { type Tensor, getBackend, memory, ops, setBackend, setRandomSeed, tensor, tidy } from '@strata/core';
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
import { env } from '@tensorflow/tfjs-core';
import { expectAllClose } from '@strata/test-utils/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmUp, webglInfo } from './index';
import { padReference, ramp, reverseReference } from './reference';

const N = 24;
const EPOCHS = 4;

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
    return (Math.floor(s > 0 ? 1 : 0) + (tok[i * 6]! % 2)) % 3;
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

const snapshot = (m: Model) =>
  m.getWeights().map((w) => {
    const v = Array.from(w.dataSync());
    w.dispose();
    return v;
  });

async function train(
  backendAtEpoch: (epoch: number) => string | null,
  epochs: number,
  beforeFit?: (m: Model) => Promise<void>,
): Promise<{ loss: number[]; weights: number[][]; used: string[] }> {
  await setBackend('cpu');
  const model = build();
  const { x, y } = data();
  if (beforeFit != null) await beforeFit(model);
  const used: string[] = [];
  const switcher = {
    setModel() {},
    setParams() {},
    async onEpochBegin(epoch: number) {
      const name = backendAtEpoch(epoch);
      if (name != null) await setBackend(name);
      used.push(name ?? 'unchanged');
    },
  };
  const history = await model.fit(x, y, { epochs, batchSize: 8, verbose: 0, seed: 7, callbacks: [switcher as never] });
  const weights = snapshot(model);
  tidy(() => {
    for (const t of [...x, y]) t.dispose();
  });
  model.dispose?.();
  return { loss: history.history.loss!, weights, used };
}

// float32 on both sides, summed in another order and with the GPU's exp/tanh: the wasm suite's bounds.
const LOSS_TOL = { atol: 1e-4, rtol: 1e-3 };
const WEIGHT_TOL = { atol: 1e-3, rtol: 1e-3 };

describe('training on webgl (Chromium)', () => {
  beforeAll(async () => setBackend('cpu'));
  afterAll(async () => setBackend('cpu'));

  let onCpu: Awaited<ReturnType<typeof train>>;

  it('the CNN + Embedding/LSTM model trains on cpu (the reference) and its loss falls', async () => {
    onCpu = await train(() => 'cpu', EPOCHS);
    expect(onCpu.loss[EPOCHS - 1]!).toBeLessThan(onCpu.loss[0]!);
  }, 120_000);

  it('the same seeded run on webgl, after a training warm-up, has the same losses and final weights', async () => {
    let compiled = 0;
    const onWebgl = await train(
      () => 'webgl',
      EPOCHS,
      async (m) => {
        await setBackend('webgl');
        compiled = (await warmUp(m, { batchSize: 8, training: true })).programs;
      },
    );
    await setBackend('cpu');
    expect(compiled).toBeGreaterThan(10);
    expect(onWebgl.used.every((u) => u === 'webgl')).toBe(true);
    expectAllClose(onWebgl.loss, onCpu.loss, LOSS_TOL);
    onWebgl.weights.forEach((w, i) => {
      expectAllClose(w, onCpu.weights[i]!, WEIGHT_TOL);
    });
    expect(onWebgl.loss[EPOCHS - 1]!).toBeLessThan(onWebgl.loss[0]!);
  }, 180_000);

  it('switching cpu -> webgl in the middle of fit ends with the weights of staying on cpu', async () => {
    const half = EPOCHS / 2;
    const swapped = await train((epoch) => (epoch < half ? 'cpu' : 'webgl'), EPOCHS);
    await setBackend('cpu');
    expect(swapped.used).toEqual([...Array(half).fill('cpu'), ...Array(half).fill('webgl')]);
    expectAllClose(swapped.loss.slice(0, half), onCpu.loss.slice(0, half), { atol: 0, rtol: 0 });
    expectAllClose(swapped.loss, onCpu.loss, LOSS_TOL);
    swapped.weights.forEach((w, i) => {
      expectAllClose(w, onCpu.weights[i]!, WEIGHT_TOL);
    });
  }, 180_000);

  it('training steps on webgl leak no tensors', async () => {
    await setBackend('webgl');
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
  }, 120_000);
});

describe('warmUp', () => {
  afterAll(async () => setBackend('cpu'));

  it('compiles the predict programs once, changes no weight, leaks nothing, and predict then matches cpu', async () => {
    await setBackend('cpu');
    const model = build();
    const { x, y } = data();
    // Batch 6: shapes no earlier test compiled programs for (the program cache is per backend).
    const want = tidy(() => Array.from((model.predict(x, { batchSize: 6 }) as Tensor).dataSync()));
    const weights = snapshot(model);
    await setBackend('webgl');
    const before = memory().numTensors;
    const first = await warmUp(model, { batchSize: 6 });
    expect(memory().numTensors).toBe(before);
    expect(first.programs).toBeGreaterThan(5);
    expect(first.totalPrograms).toBeGreaterThanOrEqual(first.programs);
    expect(first.ms).toBeGreaterThan(0);
    expect(first.parallel).toBe(webglInfo().parallelCompile);
    // Everything is cached now: a second warm-up compiles nothing.
    const second = await warmUp(model, { batchSize: 6 });
    expect(second.programs).toBe(0);
    expect(second.totalPrograms).toBe(first.totalPrograms);
    // Compile-only mode never ran a program, and training mode restores what it assigned.
    // Training mode builds the optimizer as a first step would: Adam's two slots per trainable weight.
    const optimizer = model.optimizer as unknown as { variables: unknown[] };
    const slotsBefore = optimizer.variables.length;
    await warmUp(model, { batchSize: 6, training: true });
    expect(optimizer.variables.length - slotsBefore).toBe(2 * model.trainableWeights.length);
    expect(memory().numTensors).toBe(before + 2 * model.trainableWeights.length);
    snapshot(model).forEach((w, i) => {
      expectAllClose(w, weights[i]!, { atol: 0, rtol: 0 });
    });
    // The programs compiled in compile-only mode run correctly (their uniforms were looked up).
    const got = tidy(() => Array.from((model.predict(x, { batchSize: 6 }) as Tensor).dataSync()));
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    for (const t of [...x, y]) t.dispose();
    model.dispose?.();
  }, 120_000);

  it('rejects input shapes that do not fit the model, naming the problem', async () => {
    await setBackend('webgl');
    const model = build();
    await expect(warmUp(model, { inputShapes: [[8, 8, 8, 1]] })).rejects.toThrow(/got 1 input shape\(s\) for a model with 2 input\(s\)/);
    await expect(warmUp(model, { batchSize: 0 })).rejects.toThrow(/`batchSize` must be a positive integer, got 0/);
    model.dispose?.();
  });
});

describe('webglInfo and the corrected kernels on the GPU', () => {
  afterAll(async () => setBackend('cpu'));

  it('reports WebGL 2 with float32 textures on SwiftShader', async () => {
    const info = webglInfo();
    expect(info.available).toBe(true);
    expect(info.reason).toBeNull();
    expect(info.webglVersion).toBe(2);
    expect(info.float32RenderCapable).toBe(true);
    expect(info.textureFloat).toBe('float32');
    expect(info.maxTextureSize).toBeGreaterThanOrEqual(4096);
    expect(info.maxTexturesInShader).toBeGreaterThanOrEqual(8);
    expect(info.renderer).toMatch(/SwiftShader/);
    expect(typeof info.parallelCompile).toBe('boolean');
    await setBackend('webgl');
    expect(getBackend()).toBe('webgl');
    // The flags applyWebGLFlags sets when the backend is created.
    expect(env().getBool('WEBGL_PACK')).toBe(true);
    expect(env().getBool('WEBGL_FORCE_F16_TEXTURES')).toBe(false);
    expect(env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')).toBe(true);
  });

  it('pads rank-5 and rank-6 tensors and reverses rank-5 ones like plain JS', async () => {
    await setBackend('webgl');
    const before = memory().numTensors;
    const s5 = [2, 1, 3, 2, 2];
    const v5 = ramp(24, 3);
    const p5: [number, number][] = [[0, 1], [2, 0], [1, 1], [0, 0], [1, 2]];
    const got5 = tidy(() => Array.from(ops.pad(tensor(v5, s5), p5, 'constant', -2).dataSync()));
    expectAllClose(got5, padReference(v5, s5, p5, -2).values, { atol: 1e-6, rtol: 0 });
    const s6 = [1, 2, 2, 1, 2, 2];
    const v6 = ramp(16, 4);
    const p6: [number, number][] = [[1, 0], [0, 1], [0, 0], [2, 1], [0, 0], [1, 1]];
    const got6 = tidy(() => Array.from(ops.pad(tensor(v6, s6), p6).dataSync()));
    expectAllClose(got6, padReference(v6, s6, p6, 0).values, { atol: 1e-6, rtol: 0 });
    const r5 = tidy(() => Array.from(ops.flip(tensor(v5, s5), [0, 2, 4]).dataSync()));
    expectAllClose(r5, reverseReference(v5, s5, [0, 2, 4]), { atol: 1e-6, rtol: 0 });
    expect(memory().numTensors).toBe(before);
  });
});
