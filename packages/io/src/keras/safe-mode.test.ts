import { type Config, type Tensor, memory, ops, registerKerasSerializable } from '@strata/core';
import { Dense, Input, Lambda, Layer, type LayerArgs, type LayerOutput, clearSession, registerLambdaFunction } from '@strata/layers';
import { Sequential } from '@strata/models';
import { beforeEach, describe, expect, it } from 'vitest';
import { FormatError, UnsafeConfigError } from '../errors';
import { modelFromConfig, modelToConfig } from './config';

beforeEach(() => clearSession());

function sequentialWith(layer: Config): Config {
  const base = modelToConfig(new Sequential([Input({ shape: [3] }), new Dense(2, { name: 'd' })], { name: 's' }));
  (base.config as Config).layers = [((base.config as Config).layers as Config[])[0], layer, ((base.config as Config).layers as Config[])[1]];
  return base;
}

/** A Keras 3 Lambda layer holding Python bytecode, as `model.save()` writes it. */
const pythonLambda = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: {
    name: 'lam',
    trainable: true,
    dtype: 'float32',
    function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMIAAAAfABkARQAUwCpAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA', defaults: null, closure: null } },
    arguments: {},
  },
  registered_name: null,
};

class Doubler extends Layer {
  static override className = 'Doubler';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override call(x: LayerOutput): Tensor {
    return ops.multiply(x as Tensor, 2);
  }
}

describe('safe mode (on by default)', () => {
  it('refuses a Lambda holding Python bytecode, naming the layer', () => {
    const spec = sequentialWith(pythonLambda);
    expect(() => modelFromConfig(spec, { filename: 'evil.keras' })).toThrow(UnsafeConfigError);
    expect(() => modelFromConfig(spec, { filename: 'evil.keras' })).toThrow(/evil\.keras.*Lambda layer "lam" at config\.layers\[1\]/);
  });

  it('refuses a __lambda__ anywhere (here as a Dense activation), naming its path', () => {
    const dense = { module: 'keras.layers', class_name: 'Dense', config: { name: 'f', units: 2, activation: pythonLambda.config.function }, registered_name: null };
    expect(() => modelFromConfig(sequentialWith(dense))).toThrow(/Python lambda at config\.layers\[1\]\.config\.activation/);
  });

  it('still refuses the bytecode with safeMode: false (it cannot run here)', () => {
    expect(() => modelFromConfig(sequentialWith(pythonLambda), { safeMode: false })).toThrow(/CPython bytecode/);
  });

  it('refuses a Keras 2 Lambda (function as [code, defaults, closure], function_type lambda)', () => {
    const legacy = { class_name: 'Lambda', config: { name: 'old_lambda', function: ['4wEAAAAA', null, null], function_type: 'lambda', arguments: {} } };
    expect(() => modelFromConfig(sequentialWith(legacy))).toThrow(/Lambda layer "old_lambda"/);
  });

  it('loads a Lambda whose function is registered by name', () => {
    registerLambdaFunction('safe_mode_test_square', (x: Tensor | Tensor[]) => ops.square(x as Tensor));
    const model = new Sequential([Input({ shape: [3] }), new Lambda({ function: 'safe_mode_test_square', name: 'sq' })]);
    const loaded = modelFromConfig(modelToConfig(model));
    expect(loaded.layers.map((l) => l.name)).toEqual(['sq']);
    model.dispose();
    loaded.dispose();
  });

  it('refuses an unregistered class, naming it; customObjects and registration make it load', () => {
    const spec = sequentialWith({ module: 'my_project.layers', class_name: 'Tripler', config: { name: 't' }, registered_name: 'MyProject>Tripler' });
    expect(() => modelFromConfig(spec)).toThrow(UnsafeConfigError);
    expect(() => modelFromConfig(spec)).toThrow(/unregistered class "MyProject>Tripler"/);
    const viaCustom = modelFromConfig(spec, { customObjects: { 'MyProject>Tripler': Doubler } });
    expect(viaCustom.layers.map((l) => l.constructor)).toEqual([Doubler, Dense]);
    viaCustom.dispose();

    registerKerasSerializable(Doubler, { package: 'SafeModeTest' });
    const model = new Sequential([Input({ shape: [3] }), new Doubler({ name: 'dbl' })]);
    const spec2 = modelToConfig(model);
    expect(((spec2.config as Config).layers as Config[])[1]!.registered_name).toBe('SafeModeTest>Doubler');
    const loaded = modelFromConfig(spec2);
    expect(loaded.layers[0]).toBeInstanceOf(Doubler);
    model.dispose();
    loaded.dispose();
  });

  it('refuses an unregistered function, accepts built-in and customObjects functions', () => {
    const dense = (activation: unknown) => ({ module: 'keras.layers', class_name: 'Dense', config: { name: 'f', units: 2, activation }, registered_name: null });
    const evil = { module: 'os', class_name: 'function', config: 'system', registered_name: null };
    expect(() => modelFromConfig(sequentialWith(dense(evil)))).toThrow(/unregistered function "system"/);
    const relu = { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: null };
    const ok = modelFromConfig(sequentialWith(dense(relu)));
    ok.dispose();
  });

  it('refuses non-modelling Keras APIs (load_model, get_file, enable_unsafe_deserialization)', () => {
    for (const [module, name] of [
      ['keras.models', 'load_model'],
      ['keras.utils', 'get_file'],
      ['keras.config', 'enable_unsafe_deserialization'],
    ]) {
      const spec = sequentialWith({ module, class_name: name, config: { filepath: 'https://example.invalid/x' }, registered_name: null });
      expect(() => modelFromConfig(spec)).toThrow(new RegExp(`${module!.replace('.', '\\.')}\\.${name}" is not a modelling API`));
    }
  });

  it('with safeMode: false an unknown class is a FormatError naming it (not loaded)', () => {
    const spec = sequentialWith({ module: 'x', class_name: 'Nope', config: { name: 'n' }, registered_name: null });
    expect(() => modelFromConfig(spec, { safeMode: false, filename: 'cfg.json' })).toThrow(FormatError);
    expect(() => modelFromConfig(spec, { safeMode: false, filename: 'cfg.json' })).toThrow(/cfg\.json.*Nope/);
  });

  it('a refused config builds nothing and leaks no tensors', () => {
    const spec = sequentialWith(pythonLambda);
    const before = memory().numTensors;
    expect(() => modelFromConfig(spec)).toThrow(UnsafeConfigError);
    expect(memory().numTensors).toBe(before);
  });

  it('checks compile_config too (an unregistered loss class is refused)', () => {
    const spec = sequentialWith({ module: 'keras.layers', class_name: 'Dense', config: { name: 'e', units: 2 }, registered_name: null });
    spec.compile_config = { optimizer: 'sgd', loss: { module: 'evil', class_name: 'StealLoss', config: {}, registered_name: 'Evil>StealLoss' }, metrics: null };
    expect(() => modelFromConfig(spec)).toThrow(/unregistered class "Evil>StealLoss"/);
    // Not compiling does not skip the check: the whole file is refused.
    expect(() => modelFromConfig(spec, { compile: false })).toThrow(UnsafeConfigError);
  });
});
