import { type Config, KerasTensor, ValueError } from '@strata/core';
import { readFixtureJson } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input, InputLayer } from './input-layer';

describe('InputLayer / Input', () => {
  it("has Keras' config (mlp fixture's input) and round-trips", () => {
    const keras = readFixtureJson<{ config: { layers: { class_name: string; config: Config }[] } }>('mlp', 'keras_config.json')
      .config.layers[0]!.config;
    const layer = new InputLayer({ shape: [4], name: 'x' });
    expect(layer.getConfig()).toEqual(keras);
    const again = InputLayer.fromConfig(layer.getConfig());
    expect(again.batchShape).toEqual([null, 4]);
    expect(again.name).toBe('x');
  });

  it('Input() gives a symbolic tensor with the batch axis first', () => {
    const x = Input({ shape: [28, 28, 1], batchSize: 8, dtype: 'int32' });
    expect(x).toBeInstanceOf(KerasTensor);
    expect(x.shape).toEqual([8, 28, 28, 1]);
    expect(x.dtype).toBe('int32');
    expect(Input({ batchShape: [null, 3] }).shape).toEqual([null, 3]);
    expect(() => new InputLayer({})).toThrow(ValueError);
  });
});
