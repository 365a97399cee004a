import { createRequire } from 'node:module';
import { type Tensor, memory, tensor } from '@strata/core';
import { BatchNormalization, Bidirectional, Concatenate, Conv2D, Dense, Dropout, Embedding, Flatten, GRU, LSTM, MaxPooling2D, TimeDistributed } from '@strata/layers';
import { Input, Model, Sequential } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { readTfjsModel, writeTfjsModel } from './tfjs-model';

// tfjs-core as tfjs-layers resolves it: the interop below needs it to be the engine Strata runs on.
const requireHere = createRequire(import.meta.url);
const tfc = createRequire(requireHere.resolve('@tensorflow/tfjs-layers'))('@tensorflow/tfjs-core') as {
  Tensor: new (...a: never[]) => unknown;
  memory(): { numTensors: number };
};

type Artifacts = { modelTopology: object; weightSpecs: never[]; weightData: ArrayBuffer };

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** Gives every weight of a Strata model distinct random values (BN variances kept positive). */
function randomizeStrata(model: Model, seed: number): void {
  model.weights.forEach((v, i) => {
    const vals = values(v.size, seed + i).map((x) => (v.path.endsWith('moving_variance') ? 0.5 + Math.abs(x) : x));
    v.assign(tensor(vals, v.shape));
  });
}

function randomizeTfjs(model: tfl.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const vals = values(size, seed + i).map((x) => (w.originalName.endsWith('moving_variance') ? 0.5 + Math.abs(x) : x));
    const t = tensor(vals, shape);
    w.write(t as never);
    t.dispose();
  });
}

/** Strata -> model.json + shards -> tfjs-layers, through an in-memory IOHandler. */
async function loadInTfjs(modelJson: { modelTopology: object; weightsManifest: { weights: unknown[] }[] }, shards: Uint8Array[]): Promise<tfl.LayersModel> {
  const all = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of shards) {
    all.set(s, at);
    at += s.length;
  }
  const artifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer,
  };
  return tfl.loadLayersModel({ load: async () => artifacts } as never);
}

/** tfjs-layers `model.save()` -> model.json + one shard, as tfjs' file handler writes them. */
async function saveFromTfjs(model: tfl.LayersModel): Promise<{ modelJson: object; shards: Map<string, Uint8Array> }> {
  let saved: Artifacts | null = null;
  await model.save({
    save: async (a: Artifacts) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  } as never);
  const a = saved! as Artifacts;
  const modelJson = {
    modelTopology: a.modelTopology,
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
  };
  return { modelJson: JSON.parse(JSON.stringify(modelJson)), shards: new Map([['./weights.bin', new Uint8Array(a.weightData)]]) };
}

function loader(shards: Map<string, Uint8Array> | Uint8Array[], paths?: string[]) {
  return async (path: string) => {
    const bytes = Array.isArray(shards) ? shards[paths!.indexOf(path)] : shards.get(path);
    if (bytes == null) throw new Error(`no shard ${path}`);
    return bytes;
  };
}

function toArray(t: Tensor | Tensor[] | unknown): number[] {
  return Array.from((t as Tensor).dataSync());
}

/** Runs `f` and checks it leaves no tensor behind (Strata and tfjs share one engine). */
async function noLeak(f: () => Promise<void>): Promise<void> {
  const before = memory().numTensors;
  await f();
  expect(memory().numTensors).toBe(before);
}

function functionalStrata(): Model {
  const img = Input({ shape: [6, 6, 2], name: 'img' });
  const aux = Input({ shape: [3], name: 'aux' });
  let x = new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }).apply(img) as never;
  x = new BatchNormalization({ name: 'bn' }).apply(x) as never;
  x = new MaxPooling2D({ poolSize: 2, name: 'pool' }).apply(x) as never;
  x = new Flatten({ name: 'flat' }).apply(x) as never;
  x = new Dropout({ rate: 0.3, name: 'drop' }).apply(x) as never;
  const a = new Dense({ units: 4, activation: 'tanh', name: 'da' }).apply(aux) as never;
  const c = new Concatenate({ name: 'cat' }).apply([x, a] as never) as never;
  const out = new Dense({ units: 2, activation: 'softmax', name: 'out' }).apply(c) as never;
  return new Model({ inputs: [img, aux], outputs: out, name: 'func' });
}

describe('TF.js layers format: interop with @tensorflow/tfjs-layers', () => {
  it('uses the same tfjs-core engine as tfjs-layers', () => {
    const t = tensor([1, 2]);
    expect(t instanceof tfc.Tensor).toBe(true);
    expect(tfc.memory().numTensors).toBe(memory().numTensors);
    t.dispose();
  });

  it('Strata Functional (Conv2D, BN, MaxPooling2D, Flatten, Dropout, Dense, Concatenate) loads in tfjs-layers and predicts the same', async () => {
    const model = functionalStrata();
    randomizeStrata(model, 11);
    const { modelJson, weightData } = await writeTfjsModel(model);
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['group1-shard1of1.bin']);
    const names = modelJson.weightsManifest[0]!.weights.map((w) => w.name);
    // tfjs' order: every trainable weight in layer order, then the non-trainable ones.
    expect(names).toEqual(['c1/kernel', 'c1/bias', 'bn/gamma', 'bn/beta', 'da/kernel', 'da/bias', 'out/kernel', 'out/bias', 'bn/moving_mean', 'bn/moving_variance']);
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const xi = tensor(values(2 * 6 * 6 * 2, 5), [2, 6, 6, 2]);
    const xa = tensor(values(2 * 3, 6), [2, 3]);
    const ours = model.predict([xi, xa]) as Tensor;
    const theirs = tfjsModel.predict([xi, xa] as never) as unknown as Tensor;
    expectAllClose(toArray(theirs), toArray(ours), { atol: 1e-5 });
    expect(tfjsModel.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    for (const t of [xi, xa, ours, theirs]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it("Keras 3's silu is written as tfjs' swish and computes the same", async () => {
    const model = new Sequential({ name: 'sw', layers: [Input({ shape: [3] }) as never, new Dense({ units: 3, activation: 'silu', name: 'd' })] });
    model.weights[0]!.assign(tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]));
    const { modelJson, weightData } = await writeTfjsModel(model);
    const layers = (modelJson.modelTopology as { config: { layers: { config: { activation?: string } }[] } }).config.layers;
    expect(layers[1]!.config.activation).toBe('swish');
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const x = tensor([[-2, 0.5, 3]]);
    const y = tfjsModel.predict(x as never) as unknown as Tensor;
    expectAllClose(toArray(y), [-2, 0.5, 3].map((v) => v / (1 + Math.exp(-v))), { atol: 1e-6 });
    for (const t of [x, y]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it('a Dense model written by Strata matches a float64 reference in tfjs-layers', async () => {
    const model = new Sequential({ name: 'seq', layers: [Input({ shape: [3] }) as never, new Dense({ units: 2, name: 'd' })] });
    model.weights[0]!.assign(tensor([1, 2, 3, 4, 5, 6], [3, 2]));
    model.weights[1]!.assign(tensor([0.5, -1], [2]));
    const { modelJson, weightData } = await writeTfjsModel(model);
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const x = tensor([[1, -1, 2]]);
    const y = tfjsModel.predict(x as never) as unknown as Tensor;
    // [1,-1,2] @ [[1,2],[3,4],[5,6]] + [0.5,-1] = [1-3+10+0.5, 2-4+12-1]
    expectAllClose(toArray(y), [8.5, 9], { atol: 1e-6 });
    for (const t of [x, y]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it('Strata Sequential (Embedding, LSTM, GRU, Dense) loads in tfjs-layers and predicts the same', async () => {
    const model = new Sequential({
      name: 'rnn_seq',
      layers: [
        Input({ shape: [5], dtype: 'int32', name: 'tokens' }) as never,
        new Embedding({ inputDim: 7, outputDim: 4, name: 'emb' }),
        new LSTM({ units: 3, returnSequences: true, name: 'lstm' } as never),
        new GRU({ units: 2, resetAfter: false, name: 'gru' } as never),
        new Dense({ units: 2, name: 'head' }),
      ],
    });
    randomizeStrata(model, 21);
    const { modelJson, weightData } = await writeTfjsModel(model);
    expect(modelJson.weightsManifest[0]!.weights.map((w) => [w.name, w.shape])).toEqual([
      ['emb/embeddings', [7, 4]],
      ['lstm/kernel', [4, 12]],
      ['lstm/recurrent_kernel', [3, 12]],
      ['lstm/bias', [12]],
      ['gru/kernel', [3, 6]],
      ['gru/recurrent_kernel', [2, 6]],
      ['gru/bias', [6]],
      ['head/kernel', [2, 2]],
      ['head/bias', [2]],
    ]);
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const x = tensor([0, 3, 6, 1, 2, 5, 5, 4, 0, 1], [2, 5], 'int32');
    const ours = model.predict(x) as Tensor;
    const theirs = tfjsModel.predict(x as never) as unknown as Tensor;
    expectAllClose(toArray(theirs), toArray(ours), { atol: 1e-5 });
    for (const t of [x, ours, theirs]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it('a tfjs-layers Functional model saved with model.save() loads with readTfjsModel and predicts the same', async () => {
    const img = tfl.input({ shape: [6, 6, 2], name: 'img' });
    const aux = tfl.input({ shape: [3], name: 'aux' });
    let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }).apply(img) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'flat' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dropout({ rate: 0.3, name: 'drop' }).apply(x) as tfl.SymbolicTensor;
    const a = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'da' }).apply(aux) as tfl.SymbolicTensor;
    const c = tfl.layers.concatenate({ name: 'cat' }).apply([x, a]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(c) as tfl.SymbolicTensor;
    const tfjsModel = tfl.model({ inputs: [img, aux], outputs: out, name: 'tfjs_func' });
    randomizeTfjs(tfjsModel, 31);
    const { modelJson, shards } = await saveFromTfjs(tfjsModel);
    const model = await readTfjsModel(modelJson, loader(shards));
    expect(model.name).toBe('tfjs_func');
    expect(model.layers.map((l) => l.name)).toEqual(tfjsModel.layers.map((l) => l.name));
    const xi = tensor(values(2 * 6 * 6 * 2, 7), [2, 6, 6, 2]);
    const xa = tensor(values(2 * 3, 8), [2, 3]);
    const ours = model.predict([xi, xa]) as Tensor;
    const theirs = tfjsModel.predict([xi, xa] as never) as unknown as Tensor;
    expectAllClose(toArray(ours), toArray(theirs), { atol: 1e-5 });
    for (const t of [xi, xa, ours, theirs]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it('a tfjs-layers Sequential (Embedding, LSTM, GRU with hard_sigmoid, Dense) loads with readTfjsModel and predicts the same', async () => {
    const tfjsModel = tfl.sequential({
      name: 'tfjs_rnn',
      layers: [
        tfl.layers.embedding({ inputDim: 7, outputDim: 4, inputLength: 5, name: 'emb' }),
        tfl.layers.lstm({ units: 3, returnSequences: true, name: 'lstm' }),
        tfl.layers.gru({ units: 2, name: 'gru' }), // tfjs' default recurrent activation: hard_sigmoid (0.2x + 0.5)
        tfl.layers.dense({ units: 2, activation: 'sigmoid', name: 'head' }),
      ],
    });
    randomizeTfjs(tfjsModel, 41);
    const { modelJson, shards } = await saveFromTfjs(tfjsModel);
    const model = await readTfjsModel(modelJson, loader(shards));
    const x = tensor([0, 3, 6, 1, 2, 5, 5, 4, 0, 1], [2, 5]);
    const ours = model.predict(x) as Tensor;
    const theirs = tfjsModel.predict(x as never) as unknown as Tensor;
    expectAllClose(toArray(ours), toArray(theirs), { atol: 1e-5 });
    for (const t of [x, ours, theirs]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
  });

  it('nested Sequential and Bidirectional(LSTM) inside a Functional model: names and outputs agree with tfjs-layers both ways', async () => {
    const inner = new Sequential({ name: 'inner', layers: [Input({ shape: [4, 3] }) as never, new Dense({ units: 5, activation: 'relu', name: 'inner_d' })] });
    const x = Input({ shape: [4, 3], name: 'seq_in' });
    const h = inner.apply(x) as never;
    const b = new Bidirectional({ layer: new LSTM({ units: 2, name: 'bl' } as never), name: 'bi' }).apply(h) as never;
    const model = new Model({ inputs: x, outputs: new Dense({ units: 1, name: 'o' }).apply(b) as never, name: 'nested' });
    randomizeStrata(model, 61);
    const { modelJson, weightData } = await writeTfjsModel(model);
    expect(modelJson.weightsManifest[0]!.weights.map((w) => w.name)).toEqual([
      'inner_d/kernel',
      'inner_d/bias',
      'bi/forward_bl/kernel',
      'bi/forward_bl/recurrent_kernel',
      'bi/forward_bl/bias',
      'bi/backward_bl/kernel',
      'bi/backward_bl/recurrent_kernel',
      'bi/backward_bl/bias',
      'o/kernel',
      'o/bias',
    ]);
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const input = tensor(values(2 * 4 * 3, 3), [2, 4, 3]);
    const ours = model.predict(input) as Tensor;
    const theirs = tfjsModel.predict(input as never) as unknown as Tensor;
    expectAllClose(toArray(theirs), toArray(ours), { atol: 1e-5 });
    // And back: the file tfjs-layers saves loads in Strata.
    randomizeTfjs(tfjsModel, 71);
    const saved = await saveFromTfjs(tfjsModel);
    const back = await readTfjsModel(saved.modelJson, loader(saved.shards));
    const ours2 = back.predict(input) as Tensor;
    const theirs2 = tfjsModel.predict(input as never) as unknown as Tensor;
    expectAllClose(toArray(ours2), toArray(theirs2), { atol: 1e-5 });
    for (const t of [input, ours, theirs, ours2, theirs2]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
    back.dispose();
  });

  it('TimeDistributed(Dense): tfjs names the weights time_distributed/kernel; both directions agree', async () => {
    const x = Input({ shape: [3, 2], name: 'td_in' });
    const y = new TimeDistributed({ layer: new Dense({ units: 2, name: 'inner_dense' }), name: 'td' }).apply(x) as never;
    const model = new Model({ inputs: x, outputs: y, name: 'tdm' });
    randomizeStrata(model, 91);
    const { modelJson, weightData } = await writeTfjsModel(model);
    expect(modelJson.weightsManifest[0]!.weights.map((w) => w.name)).toEqual(['td/kernel', 'td/bias']);
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    const input = tensor(values(12, 4), [2, 3, 2]);
    const ours = model.predict(input) as Tensor;
    const theirs = tfjsModel.predict(input as never) as unknown as Tensor;
    expectAllClose(toArray(theirs), toArray(ours), { atol: 1e-6 });
    randomizeTfjs(tfjsModel, 92);
    const saved = await saveFromTfjs(tfjsModel);
    const back = await readTfjsModel(saved.modelJson, loader(saved.shards));
    const ours2 = back.predict(input) as Tensor;
    const theirs2 = tfjsModel.predict(input as never) as unknown as Tensor;
    expectAllClose(toArray(ours2), toArray(theirs2), { atol: 1e-6 });
    for (const t of [input, ours, theirs, ours2, theirs2]) t.dispose();
    tfjsModel.dispose();
    model.dispose();
    back.dispose();
  });

  it('round trip Strata -> TF.js -> Strata keeps the weights exactly and the outputs', async () => {
    const model = functionalStrata();
    randomizeStrata(model, 51);
    const { modelJson, weightData } = await writeTfjsModel(model, { shardSizeBytes: 100 });
    const paths = modelJson.weightsManifest[0]!.paths;
    const total = weightData.reduce((n, s) => n + s.length, 0);
    expect(weightData.length).toBe(Math.ceil(total / 100));
    expect(paths[0]).toBe(`group1-shard1of${weightData.length}.bin`);
    expect(weightData.slice(0, -1).every((s) => s.length === 100)).toBe(true);
    const back = await readTfjsModel(JSON.parse(JSON.stringify(modelJson)), loader(weightData, paths));
    const a = model.getWeights();
    const b = back.getWeights();
    expect(b.length).toBe(a.length);
    a.forEach((t, i) => {
      expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(t.dataSync()));
    });
    const xi = tensor(values(6 * 6 * 2, 9), [1, 6, 6, 2]);
    const xa = tensor(values(3, 10), [1, 3]);
    const y1 = model.predict([xi, xa]) as Tensor;
    const y2 = back.predict([xi, xa]) as Tensor;
    expectAllClose(toArray(y2), toArray(y1), { atol: 0 });
    for (const t of [...a, ...b, xi, xa, y1, y2]) t.dispose();
    model.dispose();
    back.dispose();
  });

  it('reads a manifest split into several groups, each with its own shards', async () => {
    const model = functionalStrata();
    randomizeStrata(model, 81);
    const { modelJson, weightData } = await writeTfjsModel(model);
    const specs = modelJson.weightsManifest[0]!.weights;
    const bytes = weightData[0]!;
    // Group 1: the first 4 weights; group 2: the rest, cut in two shards.
    const cut = specs.slice(0, 4).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    const files = new Map([
      ['a.bin', bytes.slice(0, cut)],
      ['b1.bin', bytes.slice(cut, cut + 10)],
      ['b2.bin', bytes.slice(cut + 10)],
    ]);
    const json = {
      ...modelJson,
      weightsManifest: [
        { paths: ['a.bin'], weights: specs.slice(0, 4) },
        { paths: ['b1.bin', 'b2.bin'], weights: specs.slice(4) },
      ],
    };
    const back = await readTfjsModel(json, loader(files));
    back.weights.forEach((v, i) => {
      expect(Array.from(v.dataSync())).toEqual(Array.from(model.weights[i]!.dataSync()));
    });
    model.dispose();
    back.dispose();
  });

  it('reports progress per shard, ending at 1', async () => {
    const model = functionalStrata();
    const { modelJson, weightData } = await writeTfjsModel(model, { shardSizeBytes: 256 });
    const seen: number[] = [];
    const back = await readTfjsModel(modelJson, loader(weightData, modelJson.weightsManifest[0]!.paths), { onProgress: (f) => seen.push(f) });
    const n = weightData.length;
    expect(seen).toEqual([...Array.from({ length: n }, (_, i) => (i + 1) / (n + 1)), 1]);
    model.dispose();
    back.dispose();
  });

  it('leaks no tensors when writing and reading', async () => {
    const model = functionalStrata();
    const { modelJson, weightData } = await writeTfjsModel(model, { quantization: 'uint8' });
    await noLeak(async () => {
      await writeTfjsModel(model);
      const back = await readTfjsModel(modelJson, loader(weightData, modelJson.weightsManifest[0]!.paths));
      back.dispose();
    });
    model.dispose();
  });
});

describe('TF.js layers format: quantization', () => {
  /** A Dense model with known weights; returns it and the float64 values of its kernel/bias. */
  function denseModel(): { model: Sequential; kernel: number[]; bias: number[] } {
    const model = new Sequential({ name: 'q', layers: [Input({ shape: [8] }) as never, new Dense({ units: 4, name: 'd' })] });
    const kernel = values(32, 77).map((x) => x * 3);
    const bias = [0.25, -0.5, 1.5, 0];
    model.weights[0]!.assign(tensor(kernel, [8, 4]));
    model.weights[1]!.assign(tensor(bias, [4]));
    return { model, kernel, bias };
  }

  it('uint8: manifest metadata as tfjs-converter writes it; reads back within scale / 2', async () => {
    const { model, kernel } = denseModel();
    const { modelJson, weightData } = await writeTfjsModel(model, { quantization: 'uint8' });
    const spec = modelJson.weightsManifest[0]!.weights[0]!;
    const lo = Math.min(...Array.from(new Float32Array(kernel)));
    const hi = Math.max(...Array.from(new Float32Array(kernel)));
    const scale = (hi - lo) / 255;
    const min = -Math.round(-lo / scale) * scale; // nudged so 0 is exact
    expect(spec.dtype).toBe('float32');
    expect(spec.quantization!.dtype).toBe('uint8');
    expect(spec.quantization!.original_dtype).toBe('float32');
    expect(spec.quantization!.scale).toBeCloseTo(scale, 12);
    expect(spec.quantization!.min).toBeCloseTo(min, 12);
    expect(weightData[0]!.length).toBe(32 + 4);
    const back = await readTfjsModel(modelJson, loader(weightData, modelJson.weightsManifest[0]!.paths));
    const k = Array.from(back.weights[0]!.dataSync());
    k.forEach((v, i) => {
      expect(Math.abs(v - kernel[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-6);
    });
    // tfjs-layers dequantizes the same file to the same values.
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    expectAllClose(Array.from((tfjsModel.weights[0]!.read() as unknown as Tensor).dataSync()), k, { atol: 1e-6 });
    tfjsModel.dispose();
    model.dispose();
    back.dispose();
  });

  it('float16: reads back within half precision, and tfjs-layers reads the same values', async () => {
    const { model, kernel, bias } = denseModel();
    const { modelJson, weightData } = await writeTfjsModel(model, { quantization: 'float16' });
    expect(modelJson.weightsManifest[0]!.weights[0]!.quantization).toEqual({ dtype: 'float16', original_dtype: 'float32' });
    expect(weightData[0]!.length).toBe((32 + 4) * 2);
    const back = await readTfjsModel(modelJson, loader(weightData, modelJson.weightsManifest[0]!.paths));
    const k = Array.from(back.weights[0]!.dataSync());
    // Half precision keeps 11 significant bits: relative error <= 2^-11.
    k.forEach((v, i) => {
      expect(Math.abs(v - kernel[i]!)).toBeLessThanOrEqual(Math.abs(kernel[i]!) * 2 ** -11 + 1e-7);
    });
    expect(Array.from(back.weights[1]!.dataSync())).toEqual(bias); // exactly representable
    const tfjsModel = await loadInTfjs(modelJson, weightData);
    expect(Array.from((tfjsModel.weights[0]!.read() as unknown as Tensor).dataSync())).toEqual(k);
    tfjsModel.dispose();
    model.dispose();
    back.dispose();
  });

  it('reads uint16-quantized weights (value = q * scale + min)', async () => {
    const { model } = denseModel();
    const { modelJson } = await writeTfjsModel(model);
    const specs = modelJson.weightsManifest[0]!.weights;
    const q = [0, 1, 65535, 40000];
    specs[0]!.quantization = { dtype: 'uint16', scale: 0.001, min: -2, original_dtype: 'float32' };
    specs[1]!.quantization = { dtype: 'uint16', scale: 0.5, min: 1, original_dtype: 'float32' };
    const kernelQ = new Uint16Array(32).map((_, i) => (i * 2000 + 7) % 65536);
    const bytes = new Uint8Array(32 * 2 + 4 * 2);
    new Uint16Array(bytes.buffer).set([...kernelQ, ...q]);
    const back = await readTfjsModel(modelJson, async () => bytes);
    expectAllClose(Array.from(back.weights[0]!.dataSync()), Array.from(kernelQ, (v) => v * 0.001 - 2), { atol: 1e-5 });
    expectAllClose(Array.from(back.weights[1]!.dataSync()), q.map((v) => v * 0.5 + 1), { atol: 1e-3 });
    model.dispose();
    back.dispose();
  });
});

describe('TF.js layers format: bad input', () => {
  async function written() {
    const model = new Sequential({ name: 'bad', layers: [Input({ shape: [2] }) as never, new Dense({ units: 2, name: 'd' })] });
    const out = await writeTfjsModel(model);
    model.dispose();
    return out;
  }

  it('a short shard is a FormatError naming the shard', async () => {
    const { modelJson, weightData } = await written();
    const short = weightData[0]!.slice(0, weightData[0]!.length - 3);
    await noLeak(async () => {
      const err = await readTfjsModel(modelJson, async () => short).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.file).toBe('group1-shard1of1.bin');
      expect(err.message).toMatch(/too short.*"d\/bias"/);
    });
  });

  it('a long shard is a FormatError too', async () => {
    const { modelJson, weightData } = await written();
    const long = new Uint8Array(weightData[0]!.length + 4);
    const err = await readTfjsModel(modelJson, async () => long).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/4 bytes more/);
  });

  it('corrupt manifests are FormatErrors naming model.json', async () => {
    const { modelJson, weightData } = await written();
    const load = async () => weightData[0]!;
    const cases: [object, RegExp][] = [
      [{ ...modelJson, weightsManifest: 'x' }, /"weightsManifest" must be a list/],
      [{ ...modelJson, weightsManifest: [{ paths: ['a'] }] }, /must be an object with "paths" and "weights"/],
      [{ ...modelJson, weightsManifest: [{ paths: ['a'], weights: [{ name: 'd/kernel', shape: [2, -1], dtype: 'float32' }] }] }, /weights\[0\] must be/],
      [{ ...modelJson, modelTopology: undefined }, /no "modelTopology"/],
      [{ ...modelJson, modelTopology: { class_name: 'Sequential' } }, /"class_name" and "config"/],
      [{ ...modelJson, format: 'graph-model' }, /only "layers-model"/],
    ];
    for (const [json, re] of cases) {
      const err = await readTfjsModel(json, load).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.file).toBe('model.json');
      expect(err.message).toMatch(re);
    }
    const named = await readTfjsModel({ ...modelJson, weightsManifest: 3 }, load, { filename: 'https://x/m.json' }).catch((e) => e);
    expect(named.file).toBe('https://x/m.json');
  });

  it('weights that do not fit the model: unknown name, wrong shape, missing weight, bad quantization; nothing leaks', async () => {
    const { modelJson, weightData } = await written();
    const specs = modelJson.weightsManifest[0]!.weights;
    const load = async () => weightData[0]!;
    const variants: [object[], RegExp][] = [
      [[{ ...specs[0], name: 'x/kernel' }, specs[1]!], /"x\/kernel", which matches no weight/],
      [[{ ...specs[0], shape: [1, 4] }, specs[1]!], /shape \[1, 4\] in the file but \[2, 2\]/],
      [[specs[0]!, { ...specs[1], group: 'optimizer' }], /1 of 2 model weights are not in the file: d\/bias/],
      [[{ ...specs[0], quantization: { dtype: 'uint8' } }, specs[1]!], /needs numeric "scale" and "min"/],
    ];
    for (const [weights, re] of variants) {
      await noLeak(async () => {
        const json = { ...modelJson, weightsManifest: [{ paths: modelJson.weightsManifest[0]!.paths, weights }] };
        const err = await readTfjsModel(json, load).catch((e) => e);
        expect(err).toBeInstanceOf(FormatError);
        expect(err.message).toMatch(re);
      });
    }
  });

  it('an unknown class after a built layer (a corrupt "Dense") is refused before anything is built: nothing leaks', async () => {
    // Found by the fuzz test: the second Dense renamed "De\u00e9se" made deserialization fail after
    // the first Dense had created its kernel and bias, which were then unreachable.
    const model = new Sequential({
      name: 'two',
      layers: [Input({ shape: [3] }) as never, new Dense({ units: 2, name: 'a' }), new Dense({ units: 1, name: 'b' })],
    });
    const { modelJson, weightData } = await writeTfjsModel(model);
    model.dispose();
    const text = JSON.stringify(modelJson);
    const second = text.lastIndexOf('"class_name":"Dense"');
    expect(second).toBeGreaterThan(text.indexOf('"class_name":"Dense"'));
    const corrupt = JSON.parse(`${text.slice(0, second)}"class_name":"De\u00e9se"${text.slice(second + '"class_name":"Dense"'.length)}`);
    const load = async () => weightData[0]!;
    await noLeak(async () => {
      const err = await readTfjsModel(corrupt, load).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.file).toBe('model.json');
      expect(err.message).toBe(
        'model.json: cannot build the model from "modelTopology": unknown class "De\u00e9se" at config.layers[2]; register it with registerKerasSerializable or pass it in customObjects.',
      );
    });
    // An unknown initializer class inside the second layer's config, likewise.
    const init = text.lastIndexOf('"GlorotUniform"');
    const badInit = JSON.parse(`${text.slice(0, init)}"GloQotUniform"${text.slice(init + '"GlorotUniform"'.length)}`);
    await noLeak(async () => {
      const err = await readTfjsModel(badInit, load).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toMatch(/unknown class "GloQotUniform" at config\.layers\[2\]\.config\.kernel_initializer;/);
    });
  });

  it('a failing loadShard becomes an IoError naming the shard', async () => {
    const { modelJson } = await written();
    const err = await readTfjsModel(modelJson, async () => {
      throw new Error('ENOENT');
    }).catch((e) => e);
    expect(err.file).toBe('group1-shard1of1.bin');
    expect(err.message).toMatch(/ENOENT/);
  });

  it('writer options are checked', async () => {
    const model = new Sequential({ layers: [Input({ shape: [2] }) as never, new Dense({ units: 1 })] });
    await expect(writeTfjsModel(model, { shardSizeBytes: 0 })).rejects.toThrow(/`shardSizeBytes` must be a positive integer, got 0/);
    await expect(writeTfjsModel(model, { quantization: 'int4' as never })).rejects.toThrow(/`quantization` must be 'float16', 'uint8' or null, got "int4"/);
    model.dispose();
  });

  it('refuses Keras 3 hard_sigmoid, which tfjs-layers computes differently', async () => {
    const model = new Sequential({ layers: [Input({ shape: [2] }) as never, new Dense({ units: 1, activation: 'hard_sigmoid', name: 'hs' })] });
    await expect(writeTfjsModel(model)).rejects.toThrow(/Layer "hs": Keras 3's hard_sigmoid/);
    model.dispose();
  });
});

