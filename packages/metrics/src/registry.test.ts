import { type Tensor, ops } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { Accuracy } from './accuracy/accuracy';
import { BinaryAccuracy } from './accuracy/binary-accuracy';
import { CategoricalAccuracy } from './accuracy/categorical-accuracy';
import { categoricalAccuracy } from './accuracy/functions';
import { SparseCategoricalAccuracy } from './accuracy/sparse-categorical-accuracy';
import { BinaryCrossentropy } from './probabilistic/binary-crossentropy';
import { CategoricalCrossentropy } from './probabilistic/categorical-crossentropy';
import { SparseCategoricalCrossentropy } from './probabilistic/sparse-categorical-crossentropy';
import { Mean } from './reduction/mean';
import { MeanMetricWrapper } from './reduction/mean-metric-wrapper';
import { Sum } from './reduction/sum';
import { MeanAbsoluteError } from './regression/mean-absolute-error';
import { MeanSquaredError } from './regression/mean-squared-error';
import { RootMeanSquaredError } from './regression/root-mean-squared-error';
import { deserialize, get, isBinaryOrSparseCategorical, resolveAccuracy, serialize } from './registry';
import { expectResult } from './test-helpers';

describe('get', () => {
  it('resolves Keras names and camelCase aliases to new metrics', () => {
    const cases: [string, unknown][] = [
      ['accuracy', Accuracy],
      ['acc', Accuracy],
      ['binary_accuracy', BinaryAccuracy],
      ['binaryAccuracy', BinaryAccuracy],
      ['categorical_accuracy', CategoricalAccuracy],
      ['CategoricalAccuracy', CategoricalAccuracy],
      ['sparse_categorical_accuracy', SparseCategoricalAccuracy],
      ['sparseCategoricalAccuracy', SparseCategoricalAccuracy],
      ['mse', MeanSquaredError],
      ['MSE', MeanSquaredError],
      ['mean_squared_error', MeanSquaredError],
      ['mae', MeanAbsoluteError],
      ['mean_absolute_error', MeanAbsoluteError],
      ['root_mean_squared_error', RootMeanSquaredError],
      ['binary_crossentropy', BinaryCrossentropy],
      ['bce', BinaryCrossentropy],
      ['categorical_crossentropy', CategoricalCrossentropy],
      ['sparse_categorical_crossentropy', SparseCategoricalCrossentropy],
      ['mean', Mean],
      ['sum', Sum],
    ];
    for (const [name, cls] of cases) {
      const m = get(name);
      expect(m, name).toBeInstanceOf(cls as never);
      m.dispose();
    }
    const a = get('accuracy');
    const b = get('accuracy');
    expect(a).not.toBe(b);
    expect(() => get('nope')).toThrow(/Unknown metric identifier 'nope'/);
    a.dispose();
    b.dispose();
  });

  it('instances, classes, functions and dicts', () => {
    const m = new CategoricalAccuracy();
    expect(get(m)).toBe(m);
    expect(get(BinaryAccuracy)).toBeInstanceOf(BinaryAccuracy);
    const wrapped = get(categoricalAccuracy);
    expect(wrapped).toBeInstanceOf(MeanMetricWrapper);
    expect(wrapped.name).toBe('categorical_accuracy');
    const custom = get(function meanDiff(t: Tensor, p: Tensor) {
      return ops.subtract(p, t);
    });
    expect(custom.name).toBe('mean_diff');
    custom.updateState([0, 0], [1, 3]);
    expectResult(custom, 2);
    const fromDict = get({
      module: 'keras.metrics',
      class_name: 'BinaryAccuracy',
      config: { name: 'bin', dtype: 'float32', threshold: 0.3 },
      registered_name: null,
    });
    expect(fromDict).toBeInstanceOf(BinaryAccuracy);
    expect((fromDict as BinaryAccuracy).threshold).toBe(0.3);
    expect(fromDict.name).toBe('bin');
  });

  it('serialize / deserialize round trip', () => {
    for (const m of [new BinaryAccuracy({ threshold: 0.4 }), new CategoricalCrossentropy({ fromLogits: true }), new Mean('loss'), new RootMeanSquaredError()]) {
      const s = serialize(m);
      expect(s.module).toBe('keras.metrics');
      expect(s.class_name).toBe(m.constructor.name);
      const back = deserialize(JSON.parse(JSON.stringify(s)));
      expect(back.constructor).toBe(m.constructor);
      expect(back.getConfig()).toEqual(m.getConfig());
    }
    const w = new MeanMetricWrapper(categoricalAccuracy);
    const s = serialize(w);
    expect(s.config['fn']).toEqual({
      module: 'keras.metrics',
      class_name: 'function',
      config: 'categorical_accuracy',
      registered_name: 'categorical_accuracy',
    });
    const back = deserialize(s) as MeanMetricWrapper;
    expect(back.fn).toBe(categoricalAccuracy);
  });
});

describe('resolveAccuracy (compile)', () => {
  it('Keras 3 rule from the target and output shapes', () => {
    expect(isBinaryOrSparseCategorical([null, 1], [null, 1])).toEqual({ isBinary: true, isSparseCategorical: false });
    expect(isBinaryOrSparseCategorical([null], [null, 10])).toEqual({ isBinary: false, isSparseCategorical: true });
    expect(isBinaryOrSparseCategorical([null, 1], [null, 10])).toEqual({ isBinary: false, isSparseCategorical: true });
    expect(isBinaryOrSparseCategorical([null, 10], [null, 10])).toEqual({ isBinary: false, isSparseCategorical: false });
    expect(resolveAccuracy('accuracy', 'mse', [null, 1], [null, 1])).toBeInstanceOf(BinaryAccuracy);
    expect(resolveAccuracy('accuracy', 'categorical_crossentropy', [null, 3], [null])).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(resolveAccuracy('accuracy', null, [null, 3], [null, 3])).toBeInstanceOf(CategoricalAccuracy);
  });

  it('from the loss when the target shape is not known yet', () => {
    expect(resolveAccuracy('accuracy', 'binary_crossentropy', [null, 4])).toBeInstanceOf(BinaryAccuracy);
    expect(resolveAccuracy('accuracy', 'mse', [null, 1])).toBeInstanceOf(BinaryAccuracy);
    expect(resolveAccuracy('accuracy', 'sparse_categorical_crossentropy', [null, 10])).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(resolveAccuracy('accuracy', 'sparseCategoricalCrossentropy', [null, 10])).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(resolveAccuracy('accuracy', { name: 'sparse_categorical_crossentropy' } as never, [null, 10])).toBeInstanceOf(
      SparseCategoricalAccuracy,
    );
    expect(resolveAccuracy('accuracy', 'categorical_crossentropy', [null, 10])).toBeInstanceOf(CategoricalAccuracy);
  });

  it('names the metric after the identifier; other identifiers go through get()', () => {
    expect(resolveAccuracy('acc', 'categorical_crossentropy', [null, 10]).name).toBe('acc');
    expect(resolveAccuracy('Accuracy', 'categorical_crossentropy', [null, 10]).name).toBe('Accuracy');
    const mse = resolveAccuracy('mse', 'mse', [null, 1]);
    expect(mse).toBeInstanceOf(MeanSquaredError);
    expect(mse.name).toBe('mse');
    const m = new MeanAbsoluteError();
    expect(resolveAccuracy(m, 'mse', [null, 1])).toBe(m);
  });
});
