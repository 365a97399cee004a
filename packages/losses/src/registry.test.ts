// every loss registers itself when its module loads; the package entry loads them all
import './index';
import { type Tensor, ops, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Loss } from './loss';
import { LossFunctionWrapper } from './loss-function-wrapper';
import { KLDivergence } from './probabilistic/kl-divergence';
import { huber } from './regression/functions';
import { Huber } from './regression/huber';
import { BinaryCrossentropy } from './probabilistic/binary-crossentropy';
import { CategoricalCrossentropy } from './probabilistic/categorical-crossentropy';
import { SparseCategoricalCrossentropy } from './probabilistic/sparse-categorical-crossentropy';
import { MeanAbsoluteError } from './regression/mean-absolute-error';
import { MeanSquaredError } from './regression/mean-squared-error';
import { meanSquaredError } from './regression/functions';
import { deserialize, get, serialize } from './registry';

describe('identifiers', () => {
  it('resolve Keras names and camelCase aliases to Loss instances', () => {
    const cases: [string, unknown][] = [
      ['mean_squared_error', MeanSquaredError],
      ['mse', MeanSquaredError],
      ['MSE', MeanSquaredError],
      ['meanSquaredError', MeanSquaredError],
      ['MeanSquaredError', MeanSquaredError],
      ['mean_absolute_error', MeanAbsoluteError],
      ['mae', MeanAbsoluteError],
      ['MAE', MeanAbsoluteError],
      ['binary_crossentropy', BinaryCrossentropy],
      ['binaryCrossentropy', BinaryCrossentropy],
      ['bce', BinaryCrossentropy],
      ['categorical_crossentropy', CategoricalCrossentropy],
      ['categoricalCrossentropy', CategoricalCrossentropy],
      ['sparse_categorical_crossentropy', SparseCategoricalCrossentropy],
      ['sparseCategoricalCrossentropy', SparseCategoricalCrossentropy],
    ];
    for (const [name, cls] of cases) expect(get(name), name).toBeInstanceOf(cls as never);
    expect(() => get('nope')).toThrow(/Unknown loss identifier 'nope'/);
    expect(get(null)).toBeNull();
  });

  it('instances, classes, functions and dicts', () => {
    const l = new CategoricalCrossentropy();
    expect(get(l)).toBe(l);
    expect(get(MeanAbsoluteError)).toBeInstanceOf(MeanAbsoluteError);

    const wrapped = get(meanSquaredError);
    expect(wrapped).toBeInstanceOf(LossFunctionWrapper);
    expect(wrapped.name).toBe('mean_squared_error');

    const custom = get(function squaredSum(yTrue: Tensor, yPred: Tensor) {
      return ops.sum(ops.square(ops.subtract(yTrue, yPred)), -1);
    });
    expect(custom.name).toBe('squared_sum');
    expectAllClose(custom.apply([[1, 2]], [[0, 0]]), 5);

    const fromDict = get({
      module: 'keras.losses',
      class_name: 'CategoricalCrossentropy',
      config: { name: 'cce', reduction: 'sum', from_logits: true, label_smoothing: 0, axis: -1 },
      registered_name: null,
    });
    expect(fromDict).toBeInstanceOf(CategoricalCrossentropy);
    expect((fromDict as CategoricalCrossentropy).fromLogits).toBe(true);
    expect(fromDict.reduction).toBe('sum');

    // Keras serializes loss functions as {class_name: 'function', config: name}.
    const fn = get({ module: 'keras.losses', class_name: 'function', config: 'mean_absolute_error', registered_name: 'mean_absolute_error' } as never);
    expect(fn).toBeInstanceOf(MeanAbsoluteError);
  });

  it('serialize / deserialize round trip with Keras module and class names', () => {
    const l = new SparseCategoricalCrossentropy({ fromLogits: true });
    const s = serialize(l);
    expect(s).toEqual({
      module: 'keras.losses',
      class_name: 'SparseCategoricalCrossentropy',
      config: { name: 'sparse_categorical_crossentropy', reduction: 'sum_over_batch_size', from_logits: true, ignore_class: null },
      registered_name: null,
    });
    const back = deserialize(JSON.parse(JSON.stringify(s)));
    expect(back.getConfig()).toEqual(s.config);
  });

  it('LossFunctionWrapper serializes a built-in function by name and rebuilds', () => {
    const w = new LossFunctionWrapper(meanSquaredError, { reduction: 'sum' });
    const s = serialize(w);
    expect(s.class_name).toBe('LossFunctionWrapper');
    expect(s.config['fn']).toEqual({ module: 'keras.losses', class_name: 'function', config: 'mean_squared_error', registered_name: 'mean_squared_error' });
    const back = deserialize(s);
    expect(back).toBeInstanceOf(LossFunctionWrapper);
    expectAllClose(back.apply([[1, 2]], [[0, 0]]), 2.5);
    expect(back.reduction).toBe('sum');
    const t = tensor([[1, 2]]);
    expectAllClose(get('mse').apply(t, [[0, 0]]), 2.5);
    t.dispose();
  });

  it('new losses: Keras class and function names, serialize / deserialize with options', () => {
    const names = [
      'mape', 'msle', 'kld', 'logcosh', 'log_cosh', 'huber', 'cosine_similarity', 'poisson', 'kl_divergence',
      'binary_focal_crossentropy', 'categorical_focal_crossentropy', 'hinge', 'squared_hinge', 'categorical_hinge',
      'dice', 'tversky', 'ctc', 'CTC', 'Dice', 'Tversky', 'KLDivergence', 'LogCosh', 'Huber',
    ];
    for (const n of names) expect(get(n), n).toBeInstanceOf(Loss);
    const h = new Huber({ delta: 0.5, reduction: 'sum' });
    const s = serialize(h);
    expect(s).toEqual({
      module: 'keras.losses',
      class_name: 'Huber',
      config: { name: 'huber_loss', reduction: 'sum', delta: 0.5 },
      registered_name: null,
    });
    const back = deserialize(JSON.parse(JSON.stringify(s)));
    expect(back).toBeInstanceOf(Huber);
    expect((back as Huber).delta).toBe(0.5);
    // a wrapped built-in function keeps its options through the config
    const w = new LossFunctionWrapper(huber, { fnOptions: { delta: 2 } });
    const ws = serialize(w);
    expect(ws.config['delta']).toBe(2);
    expect(ws.config['fn']).toEqual({ module: 'keras.losses', class_name: 'function', config: 'huber', registered_name: 'huber' });
    expectAllClose(deserialize(ws).apply([[0], [0]], [[4], [4]]), 6);
    const fd = get({ module: 'keras.losses', class_name: 'function', config: 'kl_divergence', registered_name: 'kl_divergence' } as never);
    expect(fd).toBeInstanceOf(KLDivergence);
  });
});
