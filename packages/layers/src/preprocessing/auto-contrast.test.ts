import { type Config, type Tensor, deserializeKerasObject, tensor, tidy } from '@strata/core';
import { checkLayer, expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { AutoContrast } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

describe('AutoContrast (keras/src/layers/preprocessing/image_preprocessing/auto_contrast.py)', () => {
  it('stretches each image channel to the value range, keeps constant channels, applies at inference', () => {
    // Channel 0: 10..60 -> (v - 10) * 255 / 50; channel 1: constant 7 (scale is inf -> NaN -> kept).
    const x = tensor([10, 7, 35, 7, 60, 7, 20, 7], [1, 2, 2, 2]);
    const { layer } = checkLayer({
      make: () => new AutoContrast(),
      input: x,
      expected: [[[[0, 7], [127.5, 7]], [[255, 7], [51, 7]]]],
      grads: false,
      badInputs: [{ input: tensor([1, 2]), message: /AutoContrast.*\(2,\)/ }],
    });
    layer.dispose?.();
    tidy(() => {
      // Per image: image 0 spans 0.2..0.4, image 1 spans 1..3 (value_range [0, 1] only rescales).
      expectAllClose(new AutoContrast([0, 1]).apply(tensor([0.2, 0.4, 0.3, 1, 3, 2], [2, 3, 1, 1])) as Tensor, [0, 1, 0.5, 0, 1, 0.5], { atol: 1e-6 });
      const cf = new AutoContrast({ valueRange: [0, 255], dataFormat: 'channels_first' });
      expectAllClose(cf.apply(tensor([1, 3, 5, 5], [1, 1, 2, 2])) as Tensor, [[[[0, 127.5], [255, 255]]]]);
      // Integer images come out as float32.
      const yi = new AutoContrast().apply(tensor([0, 5, 10, 20], [2, 2, 1], 'int32')) as Tensor;
      expect(yi.dtype).toBe('float32');
      expectAllClose(yi, [0, 63.75, 127.5, 255]);
    });
    x.dispose();
  });

  it('config; value_range sorted as in Keras; registration; errors', () => {
    const l = new AutoContrast([0, 1], { name: 'ac' });
    expect(l.getConfig()).toMatchObject({ name: 'ac', value_range: [0, 1] });
    expect(roundTrip<AutoContrast>(l).valueRange).toEqual([0, 1]);
    expect(new AutoContrast([2, 1]).valueRange).toEqual([1, 2]);
    expect(new AutoContrast().valueRange).toEqual([0, 255]);
    const d = deserializeKerasObject<AutoContrast>('layer', { module: 'keras.layers', class_name: 'AutoContrast', config: l.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(AutoContrast);
    expect(() => new AutoContrast([1] as never)).toThrow(/AutoContrast.*value_range/);
    expect(() => new AutoContrast('a' as never)).toThrow(/AutoContrast.*value_range/);
  });
});
