import { type Tensor, deserializeKerasObject, memory, tensor } from '@strata/core';
import type { Model } from '@strata/models';
import { type FixtureIo, type TensorJson, expectAllClose, fixtureTensor, fixtureWeights, readFixtureJson } from '@strata/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { readTfjsModel, writeTfjsModel } from './tfjs-model';

/** A Keras fixture model (config + weights saved by Keras 3.15.1) rebuilt in Strata. */
function fixtureModel(name: string): Model {
  const spec = readFixtureJson<{ class_name: string; config: object }>(name, 'keras_config.json');
  const model = deserializeKerasObject<Model>('layer', spec as never);
  const weights = fixtureWeights(name);
  model.setWeights(weights.map((w) => tensor(Float32Array.from(w.data), w.shape)));
  return model;
}

function outputsOf(y: unknown): Tensor[] {
  return (Array.isArray(y) ? y : [y]) as Tensor[];
}

describe("Keras fixtures through the TF.js format: tfjs-layers reproduces Keras' outputs", () => {
  for (const name of ['mlp', 'cnn', 'functional', 'lstm', 'mnv2_block']) {
    it(`${name}: written by Strata, predicted by tfjs-layers and by the model read back`, async () => {
      const model = fixtureModel(name);
      const io = readFixtureJson<FixtureIo>(name, 'io.json');
      const tol = io.tolerance ?? { atol: 1e-5, rtol: 1e-4 };
      const { modelJson, weightData } = await writeTfjsModel(model, { shardSizeBytes: 4096 });
      const all = new Uint8Array(weightData.reduce((n, s) => n + s.length, 0));
      weightData.reduce((at, s) => {
        all.set(s, at);
        return at + s.length;
      }, 0);
      const tfjsModel = await tfl.loadLayersModel({
        load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: all.buffer }),
      } as never);
      const back = await readTfjsModel(modelJson, async (p) => weightData[modelJson.weightsManifest[0]!.paths.indexOf(p)]!);
      const before = memory().numTensors;
      const xs = io.inputs.map((t: TensorJson) => fixtureTensor(t));
      const theirs = outputsOf(tfjsModel.predict((xs.length === 1 ? xs[0] : xs) as never));
      const ours = outputsOf(back.predict(xs.length === 1 ? xs[0]! : xs));
      expect(theirs.length).toBe(io.outputs.length);
      io.outputs.forEach((o: TensorJson, i: number) => {
        expectAllClose(theirs[i]!, o.data, { ...tol, shape: o.shape });
        expectAllClose(ours[i]!, o.data, { ...tol, shape: o.shape });
      });
      for (const t of [...xs, ...theirs, ...ours]) t.dispose();
      expect(memory().numTensors).toBe(before);
      tfjsModel.dispose();
      back.dispose();
      model.dispose();
    });
  }

  it("mnv2_block: DepthwiseConv2D's Keras 3 `kernel` is tfjs' `depthwise_kernel`; either name reads back", async () => {
    const model = fixtureModel('mnv2_block');
    const { modelJson, weightData } = await writeTfjsModel(model);
    const specs = modelJson.weightsManifest[0]!.weights;
    expect(specs.filter((w) => /^dw2?\//.test(w.name)).map((w) => w.name)).toEqual(['dw/depthwise_kernel', 'dw2/depthwise_kernel', 'dw2/bias']);
    const renamed = specs.map((w) => (w.name === 'dw/depthwise_kernel' ? { ...w, name: 'dw/kernel' } : w));
    const json = { ...modelJson, weightsManifest: [{ paths: modelJson.weightsManifest[0]!.paths, weights: renamed }] };
    const back = await readTfjsModel(json, async () => weightData[0]!);
    const i = back.weights.findIndex((v) => v.path === 'dw/kernel');
    const j = model.weights.findIndex((v) => v.path === 'dw/kernel');
    expect(Array.from(back.weights[i]!.dataSync())).toEqual(Array.from(model.weights[j]!.dataSync()));
    back.dispose();
    model.dispose();
  });
});
