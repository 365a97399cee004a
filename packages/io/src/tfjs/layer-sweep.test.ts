import { type Tensor, tensor } from '@strata/core';
import * as L from '@strata/layers';
import { Input, Sequential } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { readTfjsModel, writeTfjsModel } from './tfjs-model';

type Artifacts = { modelTopology: object; weightSpecs: object[]; weightData: ArrayBuffer };

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

// [case, Strata layer, tfjs layer (given its input shape), input shape without batch]
const cases: [string, () => L.Layer, (inputShape: number[]) => tfl.layers.Layer, number[]][] = [
  ['Conv1D', () => new L.Conv1D({ filters: 2, kernelSize: 2, name: 'l' } as never), (s) => tfl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: s, name: 'l' }), [5, 3]],
  ['Conv2DTranspose', () => new L.Conv2DTranspose({ filters: 2, kernelSize: 2, strides: 2, name: 'l' } as never), (s) => tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, inputShape: s, name: 'l' }), [3, 3, 2]],
  ['SeparableConv2D', () => new L.SeparableConv2D({ filters: 2, kernelSize: 2, name: 'l' } as never), (s) => tfl.layers.separableConv2d({ filters: 2, kernelSize: 2, inputShape: s, name: 'l' }), [4, 4, 2]],
  ['DepthwiseConv2D', () => new L.DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, name: 'l' } as never), (s) => tfl.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, inputShape: s, name: 'l' }), [4, 4, 2]],
  ['Conv3D', () => new L.Conv3D({ filters: 2, kernelSize: 2, name: 'l' } as never), (s) => tfl.layers.conv3d({ filters: 2, kernelSize: 2, inputShape: s, name: 'l' }), [3, 3, 3, 1]],
  ['AveragePooling2D', () => new L.AveragePooling2D({ poolSize: 2, name: 'l' } as never), (s) => tfl.layers.averagePooling2d({ poolSize: 2, inputShape: s, name: 'l' }), [4, 4, 1]],
  ['GlobalMaxPooling1D', () => new L.GlobalMaxPooling1D({ name: 'l' } as never), (s) => tfl.layers.globalMaxPooling1d({ inputShape: s, name: 'l' }), [4, 3]],
  ['UpSampling2D', () => new L.UpSampling2D({ size: 2, name: 'l' } as never), (s) => tfl.layers.upSampling2d({ size: [2, 2], inputShape: s, name: 'l' }), [2, 2, 1]],
  ['Cropping2D', () => new L.Cropping2D({ cropping: 1, name: 'l' } as never), (s) => tfl.layers.cropping2D({ cropping: 1, inputShape: s, name: 'l' }), [4, 4, 1]],
  ['Reshape', () => new L.Reshape({ targetShape: [6], name: 'l' } as never), (s) => tfl.layers.reshape({ targetShape: [6], inputShape: s, name: 'l' }), [2, 3]],
  ['Permute', () => new L.Permute({ dims: [2, 1], name: 'l' } as never), (s) => tfl.layers.permute({ dims: [2, 1], inputShape: s, name: 'l' }), [2, 3]],
  ['RepeatVector', () => new L.RepeatVector({ n: 3, name: 'l' } as never), (s) => tfl.layers.repeatVector({ n: 3, inputShape: s, name: 'l' }), [2]],
  ['LeakyReLU', () => new L.LeakyReLU({ negativeSlope: 0.2, name: 'l' } as never), (s) => tfl.layers.leakyReLU({ alpha: 0.2, inputShape: s, name: 'l' }), [4]],
  ['PReLU', () => new L.PReLU({ name: 'l' } as never), (s) => tfl.layers.prelu({ inputShape: s, name: 'l' }), [4]],
  ['ELU', () => new L.ELU({ name: 'l' } as never), (s) => tfl.layers.elu({ inputShape: s, name: 'l' }), [4]],
  ['Softmax', () => new L.Softmax({ name: 'l' } as never), (s) => tfl.layers.softmax({ inputShape: s, name: 'l' }), [4]],
  ['LayerNormalization', () => new L.LayerNormalization({ name: 'l' } as never), (s) => tfl.layers.layerNormalization({ inputShape: s, name: 'l' }), [4]],
  ['SimpleRNN', () => new L.SimpleRNN({ units: 2, name: 'l' } as never), (s) => tfl.layers.simpleRNN({ units: 2, inputShape: s, name: 'l' }), [3, 2]],
  ['Activation(selu)', () => new L.Activation({ activation: 'selu', name: 'l' } as never), (s) => tfl.layers.activation({ activation: 'selu', inputShape: s, name: 'l' }), [4]],
  ['GaussianNoise', () => new L.GaussianNoise({ stddev: 0.1, name: 'l' } as never), (s) => tfl.layers.gaussianNoise({ stddev: 0.1, inputShape: s, name: 'l' }), [4]],
  ['SpatialDropout1D', () => new L.SpatialDropout1D({ rate: 0.5, name: 'l' } as never), (s) => tfl.layers.spatialDropout1d({ rate: 0.5, inputShape: s, name: 'l' }), [3, 2]],
  ['Masking', () => new L.Masking({ maskValue: 0, name: 'l' } as never), (s) => tfl.layers.masking({ maskValue: 0, inputShape: s, name: 'l' }), [3, 2]],
];

function randomize(weights: { shape: number[]; assign: (t: Tensor) => void }[], seed: number): void {
  weights.forEach((w, i) => {
    const t = tensor(values(w.shape.reduce((a, b) => a * b, 1), seed + i), w.shape);
    w.assign(t);
    t.dispose();
  });
}

describe('layer configs in the Keras 2 dialect: each layer both ways with tfjs-layers', () => {
  it("refuses a ReLU with Keras 3's negative_slope, which tfjs-layers cannot compute", async () => {
    const model = new Sequential({ layers: [Input({ shape: [2] }) as never, new L.ReLU({ negativeSlope: 0.1, name: 'r' } as never)] });
    await expect(writeTfjsModel(model)).rejects.toThrow(/Layer "r": tfjs-layers' ReLU has only `max_value`/);
    model.dispose();
  });

  it("LeakyReLU's Keras 3 negative_slope is Keras 2's alpha", async () => {
    const model = new Sequential({ layers: [Input({ shape: [2] }) as never, new L.LeakyReLU({ negativeSlope: 0.1, name: 'lr' } as never)] });
    const { modelJson } = await writeTfjsModel(model);
    const cfg = (modelJson.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[1]!.config;
    expect([cfg.alpha, 'negative_slope' in cfg]).toEqual([0.1, false]);
    const back = await readTfjsModel(modelJson, async () => new Uint8Array(0));
    expect((back.layers[0]!.getConfig() as { negative_slope: number }).negative_slope).toBeCloseTo(0.1, 7);
    model.dispose();
    back.dispose();
  });

  for (const [name, strataLayer, tfjsLayer, shape] of cases) {
    it(`${name}: Strata -> tfjs-layers and tfjs-layers -> Strata predict the same`, async () => {
      const x = tensor(values(2 * shape.reduce((a, b) => a * b, 1), 3), [2, ...shape]);
      // Strata -> tfjs
      const model = new Sequential({ name: 's', layers: [Input({ shape }) as never, strataLayer()] });
      randomize(model.weights, 7);
      const { modelJson, weightData } = await writeTfjsModel(model);
      const bytes = weightData[0] ?? new Uint8Array(0);
      const tfjsModel = await tfl.loadLayersModel({
        load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: bytes.slice().buffer }),
      } as never);
      const a1 = model.predict(x) as Tensor;
      const b1 = tfjsModel.predict(x as never) as unknown as Tensor;
      expect(b1.shape).toEqual(a1.shape);
      expectAllClose(Array.from(b1.dataSync()), Array.from(a1.dataSync()), { atol: 1e-5 });
      // tfjs -> Strata
      const t = tfl.sequential({ layers: [tfjsLayer(shape)] });
      randomize(t.weights.map((w) => ({ shape: w.shape as number[], assign: (v: Tensor) => w.write(v as never) })), 9);
      let saved: Artifacts | null = null;
      const handler = {
        save: async (art: Artifacts) => {
          saved = art;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        },
      };
      await t.save(handler as never);
      const art = saved! as Artifacts;
      const json = JSON.parse(JSON.stringify({ modelTopology: art.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: art.weightSpecs }] }));
      const back = await readTfjsModel(json, async () => new Uint8Array(art.weightData));
      const a2 = back.predict(x) as Tensor;
      const b2 = t.predict(x as never) as unknown as Tensor;
      expectAllClose(Array.from(a2.dataSync()), Array.from(b2.dataSync()), { atol: 1e-5 });
      for (const v of [x, a1, b1, a2, b2]) v.dispose();
      for (const m of [model, back]) m.dispose();
      tfjsModel.dispose();
      t.dispose();
    });
  }
});
