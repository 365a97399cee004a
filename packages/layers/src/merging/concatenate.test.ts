import { KerasTensor, ShapeError, type Tensor, deserializeKerasObject, serializeKerasObject, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { fixtureLayerConfig, projectedSum, randomTensor } from '../testing/layer-checks';
import { Concatenate } from './concatenate';

describe('Concatenate', () => {
  it('joins along the last axis by default and along a given axis (hand-computed)', () => {
    tidy(() => {
      const a = tensor([[1, 2], [3, 4]]);
      const b = tensor([[5], [6]]);
      expectAllClose(new Concatenate().apply([a, b]) as Tensor, [[1, 2, 5], [3, 4, 6]]);
      expectAllClose(new Concatenate(0).apply([a, tensor([[7, 8]])]) as Tensor, [[1, 2], [3, 4], [7, 8]]);
    });
  });

  it('gradient matches finite differences for every input', () => {
    const layer = new Concatenate();
    const err = gradientError((a, b) => projectedSum(layer.apply([a!, b!]) as Tensor), [randomTensor([2, 3], 1), randomTensor([2, 2], 2)], 1e-2);
    expect(err).toBeLessThan(1e-3);
  });

  it("config is Keras' (functional fixture's concat) and round-trips", () => {
    const keras = fixtureLayerConfig('functional', 'concat');
    const layer = new Concatenate({ name: 'concat' });
    const config = layer.getConfig();
    expect(Object.keys(config).sort()).toEqual(Object.keys(keras).sort());
    expect(config.axis).toBe(keras.axis);
    const clone = deserializeKerasObject<Concatenate>('layer', serializeKerasObject(layer));
    expect(clone).toBeInstanceOf(Concatenate);
    expect(clone.axis).toBe(-1);
  });

  it('symbolic shapes and mismatched inputs', () => {
    const y = new Concatenate().apply([Input({ shape: [6] }), Input({ shape: [5] })]);
    expect(y).toBeInstanceOf(KerasTensor);
    expect((y as KerasTensor).shape).toEqual([null, 11]);
    const layer = new Concatenate({ name: 'cat_probe' });
    expect(() => tidy(() => layer.apply([tensor([[1, 2]]), tensor([[1], [2]])]))).toThrow(ShapeError);
    expect(() => layer.apply([Input({ shape: [2, 3] }), Input({ shape: [4, 3] })])).toThrow(/cat_probe.*\(None, 2, 3\).*\(None, 4, 3\)/);
  });

  it('leaks no tensors', async () => {
    const layer = new Concatenate();
    const a = randomTensor([2, 2]);
    expect(await tensorLeak(() => tidy(() => { layer.apply([a, a]); }))).toBe(0);
    a.dispose();
  });
});
