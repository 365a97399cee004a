import { type Config, memory, tensor } from '@strata/core';
import { Concatenate, Dense, Dropout, Input, clearSession } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { Adam } from '@strata/optimizers';
import { readFixtureJson } from '@strata/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { toKeras3Config } from './keras2-config';
import { modelFromConfig, modelFromJSON, modelToConfig, modelToJSON, parseKerasJson, stringifyKerasJson } from './config';
import { FIXTURE_NAMES, expectGoldenOutputs, fixtureFile, fixtureInputs, expectSamePredictions, withoutSharedIds } from './test-fixtures';
import { readZip } from './zip';

interface WeightJson {
  shape: number[];
  data: number[];
}

function setFixtureWeights(model: Model, name: string): void {
  const weights = readFixtureJson<WeightJson[]>(name, 'weights.json');
  const values = weights.map((w) => tensor(Float32Array.from(w.data), w.shape));
  model.setWeights(values);
  for (const v of values) v.dispose();
}

function copyWeights(from: Model, to: Model): void {
  const values = from.getWeights();
  to.setWeights(values);
  for (const v of values) v.dispose();
}

beforeEach(() => clearSession());

describe('modelToConfig / modelFromConfig against Keras 3.15 config.json', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: Keras' config rebuilds a model whose config equals Keras' (key by key, in Keras' key order)`, () => {
      const keras = readFixtureJson<Config>(name, 'keras_config.json');
      const model = modelFromConfig(keras);
      const ours = modelToConfig(model);
      expect(withoutSharedIds(ours)).toEqual(withoutSharedIds(keras));
      // Same key order too (the JSON text is what Keras would write), except for LSTM, whose
      // getConfig() in @strata/layers orders `recurrent_activation` differently from Keras.
      if (name !== 'lstm') expect(JSON.stringify(withoutSharedIds(ours))).toBe(JSON.stringify(withoutSharedIds(keras)));
      setFixtureWeights(model, name);
      expectGoldenOutputs(model, name);
      model.dispose();
    });

    it(`${name}: config.json text equals Keras' json.dumps output (separators, floats)`, () => {
      const members = readZip(fixtureFile(name, 'model.keras'), 'model.keras');
      const raw = new TextDecoder().decode(members.get('config.json')!);
      const rebuilt = modelFromConfig(parseKerasJson(raw) as Config);
      // JS numbers do not know Python's int/float distinction: Keras' `6.0` is written `6`.
      const expected = raw.replace(/, "shared_object_id": \d+/g, '').replace(/(\d)\.0([,}\]])/g, '$1$2');
      const ours = stringifyKerasJson(modelToConfig(rebuilt));
      if (name === 'lstm') expect(parseKerasJson(ours)).toEqual(parseKerasJson(expected));
      else expect(ours).toBe(expected);
      rebuilt.dispose();
    });
  }

  it('a Sequential built in Strata serializes exactly as Keras serialized the same model (mlp)', () => {
    const model = new Sequential(
      [Input({ shape: [4], name: 'x' }), new Dense(10, { activation: 'relu', name: 'dense_1' }), new Dense(3, { activation: 'softmax', name: 'dense_2' })],
      { name: 'mlp' },
    );
    expect(withoutSharedIds(modelToConfig(model))).toEqual(withoutSharedIds(readFixtureJson('mlp', 'keras_config.json')));
    model.dispose();
  });

  it('a Functional model built in Strata serializes exactly as Keras did (two inputs, two outputs)', () => {
    const inputA = Input({ shape: [6], name: 'input_a' });
    const inputB = Input({ shape: [4], name: 'input_b' });
    const b = new Dense(5, { activation: 'tanh', name: 'b_dense' }).apply(inputB);
    const merged = new Concatenate({ name: 'concat' }).apply([inputA, b]);
    const shared = new Dense(8, { activation: 'relu', name: 'shared' }).apply(merged as never);
    const outClass = new Dense(3, { activation: 'softmax', name: 'out_class' }).apply(shared);
    const outReg = new Dense(2, { name: 'out_reg' }).apply(shared);
    const model = new Model({ inputs: [inputA, inputB], outputs: [outClass, outReg], name: 'two_in_two_out' });
    expect(withoutSharedIds(modelToConfig(model))).toEqual(withoutSharedIds(readFixtureJson('functional', 'keras_config.json')));
    model.dispose();
  });
});

describe('compile_config', () => {
  function compiledMlp(): Sequential {
    const model = new Sequential([Input({ shape: [4] }), new Dense(8, { activation: 'relu' }), new Dense(3, { activation: 'softmax' })], { name: 'seq' });
    model.compile({ optimizer: new Adam(0.01), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    return model;
  }

  it('is {} for an uncompiled model and Keras\' eight keys for a compiled one', () => {
    const plain = new Sequential([Input({ shape: [2] }), new Dense(1)]);
    expect(modelToConfig(plain).compile_config).toEqual({});
    const model = compiledMlp();
    const cc = modelToConfig(model).compile_config as Config;
    expect(Object.keys(cc)).toEqual(['optimizer', 'loss', 'loss_weights', 'metrics', 'weighted_metrics', 'run_eagerly', 'steps_per_execution', 'jit_compile']);
    const opt = cc.optimizer as Config;
    expect(opt.module).toBe('keras.optimizers');
    expect(opt.class_name).toBe('Adam');
    expect(opt.registered_name).toBeNull();
    // Keras stores the learning rate as a float32 variable: 0.01 is written as its float32 value.
    expect((opt.config as Config).learning_rate).toBe(Math.fround(0.01));
    expect((opt.config as Config).beta_1).toBe(0.9);
    expect(cc.loss).toBe('categorical_crossentropy');
    expect(cc.metrics).toEqual(['accuracy']);
    expect(cc.loss_weights).toBeNull();
    expect(cc.weighted_metrics).toBeNull();
    expect(cc.steps_per_execution).toBe(1);
    plain.dispose();
    model.dispose();
  });

  it('compiles the loaded model unless compile: false', () => {
    const model = compiledMlp();
    const spec = modelToConfig(model);
    const loaded = modelFromConfig(spec);
    expect(loaded.isCompiled).toBe(true);
    expect(loaded.optimizer).toBeInstanceOf(Adam);
    expect((loaded.optimizer as Adam).getConfig().learning_rate).toBe(Math.fround(0.01));
    expect(modelToConfig(loaded).compile_config).toEqual(spec.compile_config);
    const bare = modelFromConfig(spec, { compile: false });
    expect(bare.isCompiled).toBe(false);
    for (const m of [model, loaded, bare]) m.dispose();
  });

  it('reads the compile_config example Keras 3.15 wrote (FORMATS.md §1.4)', () => {
    const spec = modelToConfig(new Sequential([Input({ shape: [4] }), new Dense(3)], { name: 'seq' }));
    spec.compile_config = {
      optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { name: 'adam', learning_rate: 0.0010000000474974513, weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }, registered_name: null },
      loss: 'categorical_crossentropy', loss_weights: null, metrics: ['accuracy'], weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: false,
    };
    const model = modelFromConfig(spec);
    expect(model.isCompiled).toBe(true);
    expect((model.optimizer as Adam).getConfig().learning_rate).toBeCloseTo(0.001, 9);
    model.dispose();
  });
});

describe('JSON', () => {
  it('modelToJSON / modelFromJSON round trip predicts identically', () => {
    const x = Input({ shape: [5], name: 'inp' });
    const h = new Dense(7, { activation: 'relu' }).apply(x);
    const d = new Dropout(0.3).apply(h);
    const y = new Dense(2).apply(d);
    const model = new Model({ inputs: x, outputs: y, name: 'm' });
    const json = modelToJSON(model);
    expect(json.startsWith('{"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", ')).toBe(true);
    const again = modelFromJSON(json);
    expect(again.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    copyWeights(model, again);
    const input = tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [3, 5]);
    expectSamePredictions(model, again, [input]);
    input.dispose();
    model.dispose();
    again.dispose();
  });

  it('parses Python json NaN / Infinity tokens outside strings only', () => {
    const v = parseKerasJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity", "d": 1e-07}') as Config;
    expect(Number.isNaN(v.a)).toBe(true);
    expect(v.b).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(v.c).toBe('NaN Infinity');
    expect(v.d).toBe(1e-7);
    expect(stringifyKerasJson({ a: Number.NaN, b: [1e-7, 0.5, 2], c: 'x' })).toBe('{"a": NaN, "b": [1e-07, 0.5, 2], "c": "x"}');
  });

  it('invalid JSON and non-object configs throw FormatError naming the file', () => {
    expect(() => modelFromJSON('{"class_name": ', { filename: 'm.json' })).toThrow(FormatError);
    expect(() => modelFromJSON('{"class_name": ', { filename: 'm.json' })).toThrow(/m\.json/);
    expect(() => modelFromJSON('[1, 2]', { filename: 'm.json' })).toThrow(/must be a JSON object/);
    expect(() => modelFromConfig({ foo: 1 }, { filename: 'cfg.json' })).toThrow(/cfg\.json.*not a Keras model config/);
  });
});

describe('nested models', () => {
  it('a Functional model holding a Sequential and a Functional model: Keras\' layout, same predictions after a round trip', () => {
    const innerIn = Input({ shape: [6], name: 'inner_in' });
    const inner = new Model({ inputs: innerIn, outputs: new Dense(4, { activation: 'tanh', name: 'inner_dense' }).apply(innerIn), name: 'inner' });
    const seq = new Sequential([Input({ shape: [3] }), new Dense(6, { activation: 'relu', name: 'seq_dense' })], { name: 'seq' });
    const x = Input({ shape: [3], name: 'x' });
    const h = seq.apply(x) as never;
    const out = inner.apply(h);
    const model = new Model({ inputs: x, outputs: out, name: 'outer' });
    const spec = modelToConfig(model);
    const cfg = spec.config as Config;
    const entries = cfg.layers as Config[];
    expect(entries.map((e) => e.class_name)).toEqual(['InputLayer', 'Sequential', 'Functional']);
    const nested = entries[2]!;
    // A nested model is written in full (build_config, compile_config) plus its graph keys.
    expect(Object.keys(nested)).toEqual(['module', 'class_name', 'config', 'registered_name', 'build_config', 'compile_config', 'name', 'inbound_nodes']);
    expect(nested.registered_name).toBe('Functional');
    expect(nested.compile_config).toEqual({});
    // Keras counts the nested Functional's own first node in output_layers (get_tensor subtracts 1) ...
    expect(cfg.output_layers).toEqual(['inner', 1, 0]);
    // ... but not in inbound_nodes references.
    const seqRef = ((nested.inbound_nodes as Config[])[0]!.args as Config[])[0]!;
    expect((seqRef.config as Config).keras_history).toEqual(['seq', 0, 0]);

    const again = modelFromJSON(modelToJSON(model));
    expect(again.layers.map((l) => l.name)).toEqual(['x', 'seq', 'inner']);
    copyWeights(model, again);
    const input = tensor(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)), [4, 3]);
    expectSamePredictions(model, again, [input]);
    expect(withoutSharedIds(modelToConfig(again))).toEqual(withoutSharedIds(spec));
    input.dispose();
    model.dispose();
    again.dispose();
  });
});

/** The functional fixture's Keras 3 config, rewritten by hand into the Keras 2 (tf.keras 2.15) dialect. */
function keras2Functional(): Config {
  const k3 = readFixtureJson<Config>('functional', 'keras_config.json');
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip);
    if (typeof x !== 'object' || x == null) return x;
    const o = x as Config;
    if (o.class_name === 'DTypePolicy') return (o.config as Config).name; // Keras 2: plain string dtype
    const out: Config = {};
    for (const [k, v] of Object.entries(o)) if (k !== 'module' && k !== 'registered_name' && k !== 'build_config') out[k] = strip(v);
    return out;
  };
  const cfg = k3.config as Config;
  const layers = (cfg.layers as Config[]).map((l) => {
    const config = strip(l.config) as Config;
    if (l.class_name === 'InputLayer') {
      config.batch_input_shape = config.batch_shape;
      delete config.batch_shape;
      delete config.optional;
    }
    const nodes = (l.inbound_nodes as { args: unknown[] }[]).map((n) => {
      const arg = n.args[0] as Config | Config[];
      const list = Array.isArray(arg) ? arg : [arg];
      return list.map((t) => [...((t.config as Config).keras_history as unknown[]), {}]);
    });
    return { class_name: l.class_name, config, name: l.name, inbound_nodes: nodes };
  });
  return { class_name: 'Functional', config: { name: cfg.name, trainable: true, layers, input_layers: cfg.input_layers, output_layers: cfg.output_layers }, keras_version: '2.15.0', backend: 'tensorflow' };
}

describe('Keras 2 dialect', () => {
  it('a tf.keras 2 Functional config (list inbound_nodes, batch_input_shape, string dtypes) predicts Keras\' outputs', () => {
    const spec = keras2Functional();
    expect(JSON.stringify(spec)).not.toContain('__keras_tensor__');
    const model = modelFromConfig(spec);
    expect(model.layers.map((l) => l.name)).toEqual(['input_b', 'input_a', 'b_dense', 'concat', 'shared', 'out_class', 'out_reg']);
    setFixtureWeights(model, 'functional');
    expectGoldenOutputs(model, 'functional');
    model.dispose();
  });

  it('a Keras 2 Sequential with batch_input_shape on its first layer, tuples encoded as __tuple__', () => {
    const spec = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          { class_name: 'Dense', config: { name: 'd1', trainable: true, batch_input_shape: { class_name: '__tuple__', items: [null, 4] }, dtype: 'float32', units: 10, activation: 'relu', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
          { class_name: 'Dense', config: { name: 'd2', trainable: true, dtype: 'float32', units: 3, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, __passive_serialization__: true } },
        ],
      },
    };
    const model = modelFromConfig(spec);
    expect(model.built).toBe(true);
    expect(model.layers.map((l) => l.name)).toEqual(['d1', 'd2']);
    // Same weights as the mlp fixture (Dense(10, relu) -> Dense(3, softmax) on 4 features).
    setFixtureWeights(model, 'mlp');
    expectGoldenOutputs(model, 'mlp');
    model.dispose();
  });

  it('a pre-2.2.3 Sequential config (a bare list of layers) loads', () => {
    const model = modelFromConfig({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'only', units: 2, batch_input_shape: [null, 3] } }] });
    expect(model.layers.map((l) => l.name)).toEqual(['only']);
    expect(model.countParams()).toBe(8);
    model.dispose();
  });
});

describe('memory', () => {
  it('building from a config and disposing leaks no tensors', () => {
    const before = memory().numTensors;
    const model = modelFromConfig(readFixtureJson<Config>('cnn', 'keras_config.json'));
    model.dispose();
    expect(memory().numTensors).toBe(before);
    const inputs = fixtureInputs('cnn');
    for (const t of inputs) t.dispose();
  });
});

describe('toKeras3Config', () => {
  it('Keras 2 node lists: a nested Functional model\'s refs drop its own first node (inbound and output refs)', () => {
    const inner = { class_name: 'Functional', name: 'inner', config: { name: 'inner', layers: [], input_layers: [['i', 0, 0]], output_layers: [['o', 0, 0]] }, inbound_nodes: [[['x', 0, 0, {}]]] };
    const spec = {
      class_name: 'Functional',
      config: {
        name: 'outer',
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 2], name: 'x' }, inbound_nodes: [] },
          inner,
          { class_name: 'Add', name: 'add', config: { name: 'add' }, inbound_nodes: [[['inner', 1, 0, {}], ['x', 0, 0, {}]]] },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['inner', 1, 0], ['add', 0, 0]],
      },
    };
    const out = toKeras3Config(spec).config as Config;
    const layers = out.layers as Config[];
    expect((layers[0]!.config as Config).batch_shape).toEqual([null, 2]);
    expect(layers[2]!.inbound_nodes).toEqual([
      {
        args: [[
          { class_name: '__keras_tensor__', config: { shape: null, dtype: null, keras_history: ['inner', 0, 0] } },
          { class_name: '__keras_tensor__', config: { shape: null, dtype: null, keras_history: ['x', 0, 0] } },
        ]],
        kwargs: {},
      },
    ]);
    expect(layers[1]!.inbound_nodes).toEqual([{ args: [{ class_name: '__keras_tensor__', config: { shape: null, dtype: null, keras_history: ['x', 0, 0] } }], kwargs: {} }]);
    expect(out.output_layers).toEqual([['inner', 0, 0], ['add', 0, 0]]);
    // The input object is not modified.
    expect(spec.config.output_layers[0]).toEqual(['inner', 1, 0]);
  });

  it('BatchNormalization axis [3] becomes 3; Keras 3 node dicts pass through', () => {
    const node = { args: [{ class_name: '__keras_tensor__', config: { shape: [null, 2], dtype: 'float32', keras_history: ['x', 0, 0] } }], kwargs: { mask: null } };
    const spec = { class_name: 'Functional', config: { name: 'm', layers: [{ class_name: 'BatchNormalization', name: 'bn', config: { name: 'bn', axis: [3] }, inbound_nodes: [node] }], input_layers: ['x', 0, 0], output_layers: ['bn', 0, 0] } };
    const out = toKeras3Config(spec).config as Config;
    const bn = (out.layers as Config[])[0]!;
    expect((bn.config as Config).axis).toBe(3);
    expect(bn.inbound_nodes).toEqual([node]);
    expect(out.input_layers).toEqual(['x', 0, 0]);
  });
});
