// Training on webgl in headless Chromium: a small CNN with an Embedding -> LSTM side branch follows
// the same trajectory as on cpu, a cpu -> webgl switch in the middle of `fit` ends where staying on
// cpu ends, and warmUp compiles the programs up front without changing anything else.
import { type Tensor, getBackend, memory, ops, setBackend, tensor, tidy } from '@strata/core';
import * as L from '@strata/layers';
import * as M from '@strata/models';
import { env } from '@tensorflow/tfjs-core';
import { describeTraining, expectAllClose, readWeights, trainingCase } from '@strata/test-utils/browser';
import { afterAll, describe, expect, it } from 'vitest';
import { warmUp, webglInfo } from './index';
import { padReference, ramp, reverseReference } from './reference';

const tc = trainingCase(L, M);
const { build, data } = tc;

describeTraining('training on webgl (Chromium)', tc, {
  backend: 'webgl',
  epochs: 4,
  timeout: 180_000,
  schedules: [['cpu', 'cpu', 'webgl', 'webgl']],
  // Compiling every training program up front must not change the run.
  beforeFitTitle: 'after a training warm-up',
  beforeFit: async (model) => {
    await setBackend('webgl');
    expect((await warmUp(model, { batchSize: 8, training: true })).programs).toBeGreaterThan(10);
  },
});

describe('warmUp', () => {
  afterAll(async () => setBackend('cpu'));

  it('compiles the predict programs once, changes no weight, leaks nothing, and predict then matches cpu', async () => {
    await setBackend('cpu');
    const model = build();
    const { x, y } = data();
    // Batch 6: shapes no earlier test compiled programs for (the program cache is per backend).
    const want = tidy(() => Array.from((model.predict(x, { batchSize: 6 }) as Tensor).dataSync()));
    const weights = await readWeights(model);
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
    (await readWeights(model)).forEach((w, i) => {
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
