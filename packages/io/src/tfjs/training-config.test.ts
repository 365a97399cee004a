import { memory, tensor } from '@strata/core';
import type { Model } from '@strata/models';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { readTfjsModel } from './tfjs-model';

type Artifacts = { modelTopology: object; weightSpecs: { name: string; group?: string }[]; weightData: ArrayBuffer; trainingConfig?: object };

async function saveWithOptimizer(model: tfl.LayersModel): Promise<Artifacts> {
  let saved: Artifacts | null = null;
  await model.save(
    {
      save: async (a: Artifacts) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    } as never,
    { includeOptimizer: true },
  );
  return JSON.parse(JSON.stringify({ ...saved!, weightData: undefined, data: Array.from(new Uint8Array(saved!.weightData)) }));
}

function optimizerConfig(model: Model): Record<string, unknown> {
  return (model.optimizer as unknown as { getConfig(): Record<string, unknown> }).getConfig();
}

describe('TF.js training config -> compile', () => {
  it("compiles from tfjs' trainingConfig (camelCase optimizer config) and skips the optimizer weights", async () => {
    const tfjsModel = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    tfjsModel.compile({ optimizer: 'rmsprop', loss: 'meanSquaredError', metrics: ['accuracy'] });
    // One training step so tfjs has optimizer state to save.
    const x = tensor([[1, 2, 3]]);
    const y = tensor([[1, 0]]);
    await tfjsModel.fit(x as never, y as never, { epochs: 1, verbose: 0 });
    const a = await saveWithOptimizer(tfjsModel);
    expect(a.weightSpecs.some((w) => w.group === 'optimizer')).toBe(true);
    const tc = a.trainingConfig as { loss: string; optimizer_config: { class_name: string; config: Record<string, number> } };
    expect(tc.loss).toBe('mean_squared_error');
    expect(tc.optimizer_config.class_name).toBe('RMSProp');
    const modelJson = { modelTopology: a.modelTopology, trainingConfig: a.trainingConfig, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] };
    const bytes = Uint8Array.from((a as unknown as { data: number[] }).data);
    const model = await readTfjsModel(modelJson, async () => bytes);
    expect(model.isCompiled).toBe(true);
    const cfg = optimizerConfig(model);
    expect(model.optimizer!.constructor.name).toBe('RMSprop');
    expect(cfg.learning_rate).toBeCloseTo(tc.optimizer_config.config.learningRate!, 7);
    expect(cfg.rho).toBeCloseTo(tc.optimizer_config.config.decay!, 7); // tfjs' RMSProp `decay` is Keras' rho
    expect(cfg.epsilon).toBeCloseTo(tc.optimizer_config.config.epsilon!, 10);
    // Loss resolved: one training step runs.
    const logs = await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(logs).toBeTruthy();
    const notCompiled = await readTfjsModel(modelJson, async () => bytes, { compile: false });
    expect(notCompiled.isCompiled).toBe(false);
    for (const t of [x, y]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
    notCompiled.dispose();
  });

  it("compiles from a Keras 2 converter training_config (snake_case, Keras 2's lr `decay` dropped)", async () => {
    const modelJson = {
      modelTopology: {
        keras_version: '2.15.0',
        model_config: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] } },
        training_config: {
          loss: 'mse',
          metrics: [['mae']],
          loss_weights: null,
          optimizer_config: { class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.005, decay: 0, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, amsgrad: false, jit_compile: true, is_legacy_optimizer: false } },
        },
      },
      weightsManifest: [{ paths: ['w'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    };
    const model = await readTfjsModel(modelJson, async () => new Uint8Array(12));
    const cfg = optimizerConfig(model);
    expect([cfg.learning_rate, cfg.beta_1, cfg.beta_2]).toEqual([expect.closeTo(0.005, 7), expect.closeTo(0.8, 7), expect.closeTo(0.99, 7)]);
    model.dispose();
  });

  it('an unknown optimizer is a FormatError and leaks nothing', async () => {
    const modelJson = {
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] } },
      trainingConfig: { loss: 'mse', optimizer_config: { class_name: 'NoSuchOpt', config: { learningRate: 1 } } },
      weightsManifest: [{ paths: ['w'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    };
    const before = memory().numTensors;
    const err = await readTfjsModel(modelJson, async () => new Uint8Array(12)).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/cannot build the optimizer.*NoSuchOpt/);
    expect(memory().numTensors).toBe(before);
  });
});
