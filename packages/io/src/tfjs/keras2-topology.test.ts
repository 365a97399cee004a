import { type Tensor, getIdentifier, memory, ops, registerKerasSerializable, tensor } from '@strata/core';
import { Dense, type GRU, Layer, type LayerOutput } from '@strata/layers';
import { Input, Model, Sequential } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { fromKeras2Topology, toKeras2Topology } from './keras2-topology';
import { readTfjsModel, writeTfjsModel } from './tfjs-model';

const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** What tensorflowjs_converter writes for a tf.keras 2.15 Functional model saved as H5 (Keras 2 dialect). */
function converterModelJson() {
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'model',
          trainable: true,
          layers: [
            {
              class_name: 'InputLayer',
              config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' },
              name: 'input_1',
              inbound_nodes: [],
            },
            {
              class_name: 'Dense',
              config: {
                name: 'dense',
                trainable: true,
                dtype: 'float32',
                units: 2,
                activation: 'relu',
                use_bias: true,
                kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
                bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
                kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null },
                bias_regularizer: null,
                activity_regularizer: null,
                kernel_constraint: null,
                bias_constraint: null,
              },
              name: 'dense',
              inbound_nodes: [[['input_1', 0, 0, {}]]],
            },
            {
              class_name: 'BatchNormalization',
              config: {
                name: 'bn',
                trainable: true,
                dtype: { class_name: 'Policy', config: { name: 'float32' } },
                axis: [1],
                momentum: 0.99,
                epsilon: 0.001,
                center: true,
                scale: true,
                beta_initializer: { class_name: 'Zeros', config: {} },
                gamma_initializer: { class_name: 'Ones', config: {} },
                moving_mean_initializer: { class_name: 'Zeros', config: {} },
                moving_variance_initializer: { class_name: 'Ones', config: {} },
                beta_regularizer: null,
                gamma_regularizer: null,
                beta_constraint: null,
                gamma_constraint: null,
              },
              name: 'bn',
              inbound_nodes: [[['dense', 0, 0, { training: false }]]],
            },
          ],
          input_layers: [['input_1', 0, 0]],
          output_layers: [['bn', 0, 0]],
        },
      },
      training_config: { loss: 'mse', metrics: null, optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' },
          { name: 'dense/bias', shape: [2], dtype: 'float32' },
          { name: 'bn/gamma', shape: [2], dtype: 'float32' },
          { name: 'bn/beta', shape: [2], dtype: 'float32' },
          { name: 'bn/moving_mean', shape: [2], dtype: 'float32' },
          { name: 'bn/moving_variance', shape: [2], dtype: 'float32' },
        ],
      },
    ],
  };
}

describe('Keras 2 dialect (TF.js model.json) -> Strata', () => {
  const K = [0.5, -1, 2, 0.25, -0.5, 1.5];
  const b = [0.1, -0.2];
  const gamma = [2, 0.5];
  const beta = [0.3, -0.3];
  const mean = [0.2, 0.4];
  const variance = [4, 0.25];

  it("reads a converter-written tf.keras 2 Functional model (model_config wrapper, list nodes, Policy dtype, BN axis [1]) and predicts like a float64 reference", async () => {
    const bytes = cat(f32(K), f32(b), f32(gamma), f32(beta), f32(mean), f32(variance));
    const before = memory().numTensors;
    const model = await readTfjsModel(converterModelJson(), async (p) => {
      expect(p).toBe('group1-shard1of1.bin');
      return bytes;
    });
    expect(model.layers.map((l) => [l.name, l.className])).toEqual([
      ['input_1', 'InputLayer'],
      ['dense', 'Dense'],
      ['bn', 'BatchNormalization'],
    ]);
    const xs = [
      [1, 2, 3],
      [-1, 0.5, 0],
    ];
    const x = tensor(xs);
    const y = model.predict(x) as Tensor;
    const ref = xs.map((row) =>
      [0, 1].map((j) => {
        const h = Math.max(0, row.reduce((s, v, i) => s + v * K[i * 2 + j]!, b[j]!));
        return (gamma[j]! * (h - mean[j]!)) / Math.sqrt(variance[j]! + 0.001) + beta[j]!;
      }),
    );
    expectAllClose(Array.from(y.dataSync()), ref.flat(), { atol: 1e-5 });
    // The L2 regularizer became Keras 3's L2 object; BN's axis is the integer 1.
    const cfg = model.getConfig() as { layers: { config: Record<string, unknown> }[] };
    expect((cfg.layers[1]!.config.kernel_regularizer as { config: { l2: number } }).config.l2).toBeCloseTo(0.01, 7);
    expect(cfg.layers[2]!.config.axis).toBe(1);
    x.dispose();
    y.dispose();
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('matches Keras 2 cell-scoped RNN weight names (gru/gru_cell/kernel) and accepts `:0` suffixes', async () => {
    const json = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 2], dtype: 'float32', name: 'gru_input' } },
            { class_name: 'GRU', config: { name: 'gru', units: 3, reset_after: true, implementation: 2, time_major: false } },
          ],
        },
      },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: [
            { name: 'gru/gru_cell/kernel:0', shape: [2, 9], dtype: 'float32' },
            { name: 'gru/gru_cell/recurrent_kernel', shape: [3, 9], dtype: 'float32' },
            { name: 'gru/gru_cell/bias', shape: [2, 9], dtype: 'float32' },
          ],
        },
      ],
    };
    const kernel = Array.from({ length: 18 }, (_, i) => i / 10 - 0.9);
    const rk = Array.from({ length: 27 }, (_, i) => (i % 5) / 7 - 0.3);
    const bias = Array.from({ length: 18 }, (_, i) => i / 40);
    const model = await readTfjsModel(json, async () => cat(f32(kernel), f32(rk), f32(bias)));
    const [k, r, bb] = model.getWeights();
    expectAllClose(Array.from(k!.dataSync()), kernel, { atol: 1e-7 });
    expectAllClose(Array.from(r!.dataSync()), rk, { atol: 1e-7 });
    expectAllClose(Array.from(bb!.dataSync()), bias, { atol: 1e-7 });
    expect((model.layers[0] as GRU).cell.resetAfter).toBe(true);
    for (const t of [k, r, bb]) t!.dispose();
    model.dispose();
  });

  it("maps Keras 2's hard_sigmoid (0.2 x + 0.5) to keras2_hard_sigmoid, and back", async () => {
    const topology = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Activation', config: { name: 'act', activation: 'hard_sigmoid', batch_input_shape: [null, 5] } }] },
    };
    const model = await readTfjsModel({ modelTopology: topology, weightsManifest: [] }, async () => new Uint8Array());
    const x = tensor([[-3, -1, 0, 1, 3]]);
    const y = model.predict(x) as Tensor;
    expectAllClose(Array.from(y.dataSync()), [0, 0.3, 0.5, 0.7, 1], { atol: 1e-6 }); // Keras 3's would give 0, 1/3, 0.5, 2/3, 1
    const { modelJson } = await writeTfjsModel(model);
    const layers = (modelJson.modelTopology as { config: { layers: { config: { activation?: string } }[] } }).config.layers;
    expect(layers.map((l) => l.config.activation ?? null)).toContain('hard_sigmoid');
    const fn = getIdentifier<(t: Tensor) => Tensor>('activation', 'keras2_hard_sigmoid');
    const z = fn(x);
    expectAllClose(Array.from(z.dataSync()), [0, 0.3, 0.5, 0.7, 1], { atol: 1e-6 });
    for (const t of [x, y, z]) t.dispose();
    model.dispose();
  });

  it('accepts the pre-2.2.3 Sequential config that is a bare list of layers', () => {
    const spec = fromKeras2Topology({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] }, 'm.json');
    expect(spec.class_name).toBe('Sequential');
    const layers = spec.config.layers as { class_name: string; config: { batch_input_shape: unknown } }[];
    expect(layers[0]!.class_name).toBe('Dense');
    expect(layers[0]!.config.batch_input_shape).toEqual([null, 2]);
  });

  it('bad topologies are FormatErrors naming the file and the place', () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2], /"modelTopology" must be an object with "class_name" and "config"/],
      [{ class_name: 'Graph', config: {} }, /model class "Graph" is not supported/],
      [{ class_name: 'Functional', config: { layers: 3 } }, /"config.layers" must be a list/],
      [{ class_name: 'Functional', config: { layers: [{ class_name: 'Dense' }] } }, /layers\[0\] must be an object/],
      [{ class_name: 'Functional', config: { layers: [{ class_name: 'Dense', config: { name: 'd' }, inbound_nodes: [[['x', 'a', 0]]] }] } }, /layers\[0\].inbound_nodes\[0\]\[0\]: expected \[layer_name/],
      [{ class_name: 'Functional', config: { layers: [{ class_name: 'Dense', config: { name: 'd' }, inbound_nodes: 'x' }] } }, /"inbound_nodes" must be a list/],
      [{ class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'l', function: ['4wEAAAAAAAAA', null, null] } }] } }, /Lambda layers hold Python bytecode/],
    ];
    for (const [topology, re] of bad) {
      let err: unknown;
      try {
        fromKeras2Topology(topology, 'my/model.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).file).toBe('my/model.json');
      expect((err as Error).message).toMatch(re);
    }
  });

  it('an unknown layer class is a FormatError from readTfjsModel', async () => {
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'NoSuchLayer', config: { name: 'n' } }] } };
    const err = await readTfjsModel({ modelTopology: topology }, async () => new Uint8Array()).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/cannot build the model.*NoSuchLayer/);
  });
});

describe('Strata (Keras 3 config) -> Keras 2 dialect', () => {
  it('writes list-form nodes, wrapped input/output refs, string dtypes, batch_input_shape, L1L2', () => {
    const x = Input({ shape: [3], name: 'x_in' });
    const d = new Dense({ units: 2, kernelRegularizer: { class_name: 'L2', config: { l2: 0.5 } }, name: 'dd' } as never);
    const model = new Model({ inputs: x, outputs: d.apply(x) as never, name: 'm' });
    const topo = toKeras2Topology({ module: 'keras', class_name: 'Functional', config: model.getConfig(), registered_name: 'Functional' }, 'strata 0.1.0') as {
      class_name: string;
      config: { layers: { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown }[]; input_layers: unknown; output_layers: unknown };
      keras_version: string;
      backend: string;
    };
    expect(topo.class_name).toBe('Functional');
    expect([topo.keras_version, topo.backend]).toEqual(['strata 0.1.0', 'tensor_flow.js']);
    expect(topo.config.input_layers).toEqual([['x_in', 0, 0]]);
    expect(topo.config.output_layers).toEqual([['dd', 0, 0]]);
    const [inp, dense] = topo.config.layers;
    expect(inp!.config).toEqual({ batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'x_in' });
    expect(dense!.inbound_nodes).toEqual([[['x_in', 0, 0, {}]]]);
    expect(dense!.config.dtype).toBe('float32');
    expect(dense!.config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.5 } });
    expect(dense!.config.kernel_initializer).toEqual({ class_name: 'GlorotUniform', config: { seed: null, input_axes: null, output_axes: null } });
    expect('module' in (dense!.config.kernel_initializer as object)).toBe(false);
    model.dispose();
  });

  it('numbers calls of nested models from 1 (Keras 2 / tfjs) and reads them back to the same model', async () => {
    const inner = new Sequential({ name: 'inner', layers: [Input({ shape: [3] }) as never, new Dense({ units: 4, name: 'id' })] });
    const fi = Input({ shape: [4], name: 'fi' });
    const innerF = new Model({ inputs: fi, outputs: new Dense({ units: 2, name: 'fd' }).apply(fi) as never, name: 'innerf' });
    const x = Input({ shape: [3], name: 'x' });
    const model = new Model({ inputs: x, outputs: innerF.apply(inner.apply(x) as never) as never, name: 'outer' });
    const { modelJson, weightData } = await writeTfjsModel(model);
    const layers = (modelJson.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown }[]; output_layers: unknown } }).config;
    expect(layers.layers.map((l) => [l.name, l.inbound_nodes])).toEqual([
      ['x', []],
      ['inner', [[['x', 0, 0, {}]]]],
      ['innerf', [[['inner', 1, 0, {}]]]],
    ]);
    expect(layers.output_layers).toEqual([['innerf', 1, 0]]);
    const back = await readTfjsModel(modelJson, async () => weightData[0]!);
    expect(JSON.stringify(back.getConfig())).toBe(JSON.stringify(model.getConfig()));
    const input = tensor([[1, 2, 3]]);
    const y1 = model.predict(input) as Tensor;
    const y2 = back.predict(input) as Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    for (const t of [input, y1, y2]) t.dispose();
    model.dispose();
    back.dispose();
  });

  it('a registered custom layer is written as "Package>Name" (Keras 2) and read back as that class', async () => {
    class TimesTwo extends Layer {
      override call(x: LayerOutput): LayerOutput {
        return ops.multiply(x as Tensor, 2);
      }
    }
    registerKerasSerializable(TimesTwo, { package: 'TfjsTest' });
    const model = new Sequential({ layers: [Input({ shape: [2] }) as never, new TimesTwo({ name: 'tt' })] });
    const { modelJson } = await writeTfjsModel(model);
    const layers = (modelJson.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    expect(layers[1]!.class_name).toBe('TfjsTest>TimesTwo');
    const back = await readTfjsModel(modelJson, async () => new Uint8Array(0));
    expect(back.layers[0]).toBeInstanceOf(TimesTwo);
    const x = tensor([[1, -3]]);
    const y = back.predict(x) as Tensor;
    expect(Array.from(y.dataSync())).toEqual([2, -6]);
    for (const t of [x, y]) t.dispose();
    model.dispose();
    back.dispose();
  });

  it('refuses subclassed models without a graph', async () => {
    const model = new Model({ name: 'sub' });
    await expect(writeTfjsModel(model)).rejects.toThrow(/"sub" is a subclassed model without a graph/);
  });
});
