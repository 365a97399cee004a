import { type Config, type Tensor, memory, tensor } from '@strata/core';
import { Concatenate, Dense, Input, clearSession } from '@strata/layers';
import {
  type TensorJson,
  expectAllClose,
  fixtureTensor,
  readFixtureJson,
  readFixtureText,
} from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { Model } from './model';
import { Sequential } from './sequential';

interface Io {
  inputs: TensorJson[];
  outputs: TensorJson[];
  tolerance: { atol: number; rtol: number };
}
interface WeightJson {
  layer: string;
  path: string;
  shape: number[];
  data: number[];
}

function loadWeights(model: Model, fixture: string): void {
  const weights = readFixtureJson<WeightJson[]>(fixture, 'weights.json');
  expect(model.weights.map((w) => w.shape)).toEqual(weights.map((w) => w.shape));
  // Variable paths are Keras' (`<sequential model>/<layer>/<variable>`, nested cells included).
  expect(model.weights.map((w) => w.path)).toEqual(weights.map((w) => w.path));
  model.setWeights(weights.map((w) => tensor(Float32Array.from(w.data), w.shape)));
}

function sequentialFromFixture(fixture: string): Sequential {
  const config = readFixtureJson<{ config: Config }>(fixture, 'keras_config.json');
  return Sequential.fromConfig(config.config) as Sequential;
}

function keepSummaryTable(text: string): string {
  return text.replace(/\s+$/, '');
}

describe('Keras fixtures', () => {
  beforeEach(() => clearSession());

  for (const fixture of ['mlp', 'cnn']) {
    it(`${fixture}: a model rebuilt from Keras' config predicts Keras' outputs`, () => {
      const model = sequentialFromFixture(fixture);
      loadWeights(model, fixture);
      const io = readFixtureJson<Io>(fixture, 'io.json');
      const x = fixtureTensor(io.inputs[0]!);
      const before = memory().numTensors;
      const y = model.predict(x) as Tensor;
      expect(memory().numTensors - before).toBe(1);
      expectAllClose(y, io.outputs[0]!.data, { ...io.tolerance, shape: io.outputs[0]!.shape });
      y.dispose();
    });

    it(`${fixture}: per-layer outputs match Keras`, () => {
      const model = sequentialFromFixture(fixture);
      loadWeights(model, fixture);
      const io = readFixtureJson<Io>(fixture, 'io.json');
      const list = readFixtureJson<(TensorJson & { layer: string })[]>(fixture, 'layer_outputs.json');
      const layerOutputs = Object.fromEntries(list.map((o) => [o.layer, o]));
      let x: Tensor = fixtureTensor(io.inputs[0]!);
      for (const layer of model.layers) {
        x = layer.apply(x);
        const want = layerOutputs[layer.name];
        expect(want, `layer_outputs.json has ${layer.name}`).toBeDefined();
        expectAllClose(x, want!.data, { ...io.tolerance, shape: want!.shape });
      }
    });

    it(`${fixture}: summary() prints Keras' table`, () => {
      const model = sequentialFromFixture(fixture);
      const text = model.summary({ printFn: () => {} });
      expect(keepSummaryTable(text)).toBe(keepSummaryTable(readFixtureText(fixture, 'summary.txt')));
    });
  }

  function functionalModel(): Model {
    const inputA = Input({ shape: [6], name: 'input_a' });
    const inputB = Input({ shape: [4], name: 'input_b' });
    const b = new Dense(5, { activation: 'tanh', name: 'b_dense' }).apply(inputB);
    const merged = new Concatenate({ name: 'concat' }).apply([inputA, b]);
    const shared = new Dense(8, { activation: 'relu', name: 'shared' }).apply(merged as never);
    const outClass = new Dense(3, { activation: 'softmax', name: 'out_class' }).apply(shared);
    const outReg = new Dense(2, { name: 'out_reg' }).apply(shared);
    return new Model({ inputs: [inputA, inputB], outputs: [outClass, outReg], name: 'two_in_two_out' });
  }

  it('functional: two inputs, two outputs, Keras layer order and outputs', () => {
    const model = functionalModel();
    expect(model.layers.map((l) => l.name)).toEqual(['input_b', 'input_a', 'b_dense', 'concat', 'shared', 'out_class', 'out_reg']);
    loadWeights(model, 'functional');
    const io = readFixtureJson<Io>('functional', 'io.json');
    const [a, b] = io.inputs.map(fixtureTensor);
    const [yClass, yReg] = model.predict([a!, b!]) as Tensor[];
    expectAllClose(yClass!, io.outputs[0]!.data, { ...io.tolerance, shape: io.outputs[0]!.shape });
    expectAllClose(yReg!, io.outputs[1]!.data, { ...io.tolerance, shape: io.outputs[1]!.shape });
    // Inputs may also be given by name.
    const [byName] = model.predict({ input_a: a!, input_b: b! }) as Tensor[];
    expectAllClose(byName!, io.outputs[0]!.data, io.tolerance);
  });

  it('functional: the config matches Keras\' and rebuilds the same model', () => {
    const keras = readFixtureJson<{ config: Config }>('functional', 'keras_config.json').config;
    const ours = functionalModel().getConfig();
    const graphOf = (c: Config) => ({
      layers: (c.layers as Config[]).map((l) => ({ class_name: l.class_name, name: l.name, inbound_nodes: l.inbound_nodes })),
      input_layers: c.input_layers,
      output_layers: c.output_layers,
    });
    expect(graphOf(ours)).toEqual(graphOf(keras));
    clearSession();
    const rebuilt = Model.fromConfig(keras) as Model;
    expect(rebuilt.name).toBe('two_in_two_out');
    loadWeights(rebuilt, 'functional');
    const io = readFixtureJson<Io>('functional', 'io.json');
    const outs = rebuilt.predict(io.inputs.map(fixtureTensor)) as Tensor[];
    outs.forEach((t, i) => {
      expectAllClose(t, io.outputs[i]!.data, { ...io.tolerance, shape: io.outputs[i]!.shape });
    });
    // And our own config rebuilds too.
    const again = Model.fromConfig(rebuilt.getConfig()) as Model;
    expect(again.layers.map((l) => l.name)).toEqual(rebuilt.layers.map((l) => l.name));
  });

  for (const fixture of ['mnv2_block', 'lstm']) {
    it(`${fixture}: Keras' config and weights predict Keras' outputs`, () => {
      const spec = readFixtureJson<{ class_name: string; config: Config }>(fixture, 'keras_config.json');
      const model = (spec.class_name === 'Sequential' ? Sequential.fromConfig(spec.config) : Model.fromConfig(spec.config)) as Model;
      loadWeights(model, fixture);
      const io = readFixtureJson<Io>(fixture, 'io.json');
      const y = model.predict(io.inputs.map(fixtureTensor)[0]!) as Tensor;
      expectAllClose(y, io.outputs[0]!.data, { ...io.tolerance, shape: io.outputs[0]!.shape });
      const text = model.summary({ printFn: () => {} });
      expect(keepSummaryTable(text)).toBe(keepSummaryTable(readFixtureText(fixture, 'summary.txt')));
    });
  }

  it('functional: summary() prints Keras\' table with "Connected to"', () => {
    const text = functionalModel().summary({ printFn: () => {} });
    expect(keepSummaryTable(text)).toBe(keepSummaryTable(readFixtureText('functional', 'summary.txt')));
  });
});
