import { memory } from '@strata/core';
import {
  BatchNormalization,
  Bidirectional,
  Conv2DTranspose,
  Dense,
  DepthwiseConv2D,
  GlobalAveragePooling2D,
  Input,
  InputLayer,
  LSTM,
  PReLU,
  ReLU,
  SeparableConv2D,
  ZeroPadding2D,
  clearSession,
} from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { beforeEach, describe, expect, it } from 'vitest';
import { bfloat16ToFloat, datasetToTensor, halfToFloat, kerasClassKey, saveableEntries } from './saveable-tree';

describe('the Keras saveable walk', () => {
  beforeEach(() => clearSession());

  it("group keys are Keras' to_snake_case of the class name (FORMATS.md §1.5 verified outputs)", () => {
    const cases: [object, string][] = [
      [new ReLU(), 're_lu'],
      [new PReLU(), 'p_re_lu'],
      [new BatchNormalization(), 'batch_normalization'],
      [new DepthwiseConv2D({ kernelSize: 3 }), 'depthwise_conv2d'],
      [new ZeroPadding2D(), 'zero_padding2d'],
      [new GlobalAveragePooling2D(), 'global_average_pooling2d'],
      [new Conv2DTranspose({ filters: 2, kernelSize: 3 }), 'conv2d_transpose'],
      [new SeparableConv2D({ filters: 2, kernelSize: 3 }), 'separable_conv2d'],
      [new LSTM(2), 'lstm'],
      [new InputLayer({ batchShape: [null, 2] }), 'input_layer'],
      [new Sequential({ layers: [] }), 'sequential'],
    ];
    for (const [layer, key] of cases) expect(kerasClassKey(layer as never)).toBe(key);
    const x = Input({ shape: [2] });
    expect(kerasClassKey(new Model({ inputs: x, outputs: new Dense(1).apply(x) as never }))).toBe('functional');
  });

  it('Bidirectional keeps each direction under forward_layer/cell and backward_layer/cell', () => {
    const model = new Sequential({ name: 'bi', layers: [Input({ shape: [5, 3] }), new Bidirectional(new LSTM(2)), new Dense(1)] });
    const withVars = saveableEntries(model)
      .filter((e) => e.variables.length > 0)
      .map((e) => [e.path, e.variables.map((v) => v.shape)]);
    expect(withVars).toEqual([
      ['layers/bidirectional/backward_layer/cell', [[3, 8], [2, 8], [8]]],
      ['layers/bidirectional/forward_layer/cell', [[3, 8], [2, 8], [8]]],
      ['layers/dense', [[4, 1], [1]]],
    ]);
  });

  it('a layer shared twice is stored once, at its first path', () => {
    const shared = new Dense(3, { name: 'shared' });
    const a = Input({ shape: [3], name: 'a' });
    const y = shared.apply(shared.apply(a) as never);
    const model = new Model({ inputs: a, outputs: y as never, name: 'twice' });
    expect(saveableEntries(model).map((e) => e.path)).toEqual(['', 'layers/input_layer', 'layers/dense']);
  });

  it('half and bfloat16 bits decode to the hand-computed float values', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (max half), 0x0001 = 2^-24 (smallest subnormal),
    // 0x3555 = 0.333251953125, 0x7c00 = +inf, 0xfc00 = -inf.
    const h = halfToFloat(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0xfc00, 0x7e00]));
    expect(Array.from(h.slice(0, 7))).toEqual([1, -2, 65504, 2 ** -24, 0.333251953125, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(Number.isNaN(h[7])).toBe(true);
    // bfloat16 is the top half of float32: 0x3f80 = 1, 0xc040 = -3, 0x3e20 = 0.15625.
    expect(Array.from(bfloat16ToFloat(Uint16Array.from([0x3f80, 0xc040, 0x3e20])))).toEqual([1, -3, 0.15625]);
  });

  it('datasets convert to the variable dtype; int64 outside int32 is refused', () => {
    const before = memory().numTensors;
    const t = datasetToTensor({ data: Uint16Array.from([0x3c00, 0xc000]), shape: [2], dtype: 'float16' }, 'float32', 'f.h5', 'x');
    expect(Array.from(t.dataSync())).toEqual([1, -2]);
    t.dispose();
    const i = datasetToTensor({ data: BigInt64Array.from([7n]), shape: [], dtype: 'int64' }, 'int32', 'f.h5', 'it');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([7]);
    i.dispose();
    expect(() => datasetToTensor({ data: BigInt64Array.from([2n ** 40n]), shape: [1], dtype: 'int64' }, 'int32', 'f.h5', 'it')).toThrow(
      /^f\.h5: it: value 1099511627776 does not fit in int32$/,
    );
    expect(memory().numTensors).toBe(before);
  });
});
