import { KerasTensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import * as activations from '../activations/index';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor } from '../testing/layer-checks';
import { Activation } from './activation';

describe('Activation layer', () => {
  it('applies the named function (hand-computed values)', () => {
    tidy(() => {
      const x = tensor([[-2, -0.5, 0, 1.5]]);
      expectAllClose(new Activation('relu').apply(x), [[0, 0, 0, 1.5]]);
      expectAllClose(new Activation({ activation: 'leaky_relu' }).apply(x), [[-0.4, -0.1, 0, 1.5]]);
      expectAllClose(new Activation(activations.hardSigmoid).apply(x), [[1 / 6, 2.5 / 6, 0.5, 4.5 / 6]]);
      expectAllClose(new Activation('softmax').apply(tensor([[0, Math.log(3)]])), [[0.25, 0.75]]);
    });
  });

  it('gradient matches finite differences', () => {
    const layer = new Activation('gelu');
    expect(gradientError((t) => projectedSum(layer.apply(t)), [randomTensor([2, 3], 5)], 1e-2)).toBeLessThan(1e-2);
  });

  it('config matches Keras ({name, trainable, dtype, activation}) and round-trips', () => {
    const layer = new Activation('tanh', { name: 'act' });
    expect(layer.getConfig()).toEqual({
      name: 'act',
      trainable: true,
      dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      activation: 'tanh',
    });
    const x = randomTensor([2, 3]);
    const clone = cloneWithWeights(layer, x);
    tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
    expect(() => new Activation('not_an_activation')).toThrow(/Unknown activation/);
  });

  it('symbolic call keeps the shape; no tensor leak', async () => {
    const y = new Activation('relu').apply(Input({ shape: [4, 2] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 4, 2]);
    const layer = new Activation('mish');
    const x = randomTensor([2, 3]);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
