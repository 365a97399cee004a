import { type Config, KerasTensor, ShapeError, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import {
  cloneWithWeights,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  projectedSum,
  randomTensor,
  weightGradError,
} from '../testing/layer-checks';
import { refDepthwise, values } from './conv-reference';
import { DepthwiseConv2D } from './depthwise-conv2d';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

describe('DepthwiseConv2D', () => {
  it('matches the Keras mnv2_block layers dw (3x3 same, no bias) and dw2 (3x3 stride 2 valid, bias)', () => {
    tidy(() => {
      const dw = new DepthwiseConv2D(3, { padding: 'same', useBias: false });
      const h = fixtureLayerOutput('mnv2_block', 'expand_relu');
      dw.apply(h);
      dw.setWeights(fixtureLayerWeights('mnv2_block', 'dw'));
      expect(dw.weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 3, 16, 1]]]);
      expectAllClose(dw.apply(h), fixtureLayerOutput('mnv2_block', 'dw'), { atol: 1e-5, rtol: 1e-4 });
      const dw2 = new DepthwiseConv2D(3, 2, 'valid');
      const p = fixtureLayerOutput('mnv2_block', 'pad');
      dw2.apply(p);
      dw2.setWeights(fixtureLayerWeights('mnv2_block', 'dw2'));
      const y = dw2.apply(p);
      expect(y.shape).toEqual([3, 4, 4, 8]);
      expectAllClose(y, fixtureLayerOutput('mnv2_block', 'dw2'), { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('strides, padding, dilation and depth_multiplier match a float64 loop reference', () => {
    const cases = [
      { opts: { kernelSize: [2, 3], strides: [2, 1], padding: 'same' as const, depthMultiplier: 2 }, xShape: [2, 5, 6, 2], ref: { strides: [2, 1], padding: 'same' as const } },
      { opts: { kernelSize: 2, dilationRate: [2, 1], padding: 'same' as const, depthMultiplier: 3 }, xShape: [1, 5, 4, 2], ref: { dilation: [2, 1], padding: 'same' as const } },
      { opts: { kernelSize: 3, dilationRate: 2 }, xShape: [1, 6, 7, 3], ref: { dilation: [2, 2] } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const layer = new DepthwiseConv2D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 10 + i);
      tidy(() => {
        const y = layer.apply(x);
        const r = refDepthwise(values(x), xShape, values(layer.kernel!.value), layer.kernel!.shape, values(layer.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(layer.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('channels_first equals channels_last on transposed inputs', () => {
    const cl = new DepthwiseConv2D(2, { padding: 'same', strides: 2, depthMultiplier: 2 });
    const cf = new DepthwiseConv2D(2, { padding: 'same', strides: 2, depthMultiplier: 2, dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 5, 4, 3], 3);
      const xcf = ops.transpose(x, [0, 3, 1, 2]);
      cl.apply(x);
      cf.apply(xcf);
      cf.setWeights(cl.getWeights());
      const y = cf.apply(xcf);
      expect(y.shape).toEqual([2, 6, 3, 2]);
      expect(cf.computeOutputShape([null, 3, 5, 4])).toEqual([null, 6, 3, 2]);
      expectAllClose(y, ops.transpose(cl.apply(x), [0, 3, 1, 2]), { atol: 1e-6 });
    });
  });

  it('gradients w.r.t. inputs and weights match finite differences (plain and dilated)', () => {
    const x = randomTensor([1, 4, 4, 2], 21);
    const a = new DepthwiseConv2D(2, { strides: 2, padding: 'same', depthMultiplier: 2, activation: 'tanh', biasInitializer: 'random_normal' });
    const b = new DepthwiseConv2D(2, { dilationRate: 2, padding: 'same', activation: 'tanh' });
    for (const layer of [a, b]) {
      tidy(() => layer.apply(x));
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradError(layer, x)).toBeLessThan(1e-2);
    }
    x.dispose();
  });

  it('config matches Keras key for key and round-trips', () => {
    for (const name of ['dw', 'dw2']) {
      const keras = withoutSharedIds(fixtureLayerConfig('mnv2_block', name));
      const layer = DepthwiseConv2D.fromConfig(keras);
      expect(layer.getConfig()).toEqual(keras);
    }
    expect(new DepthwiseConv2D(3, 1, 'same', { useBias: false, name: 'dw' }).getConfig()).toEqual(
      withoutSharedIds(fixtureLayerConfig('mnv2_block', 'dw')),
    );
    const x = randomTensor([2, 5, 5, 2]);
    const fancy = new DepthwiseConv2D(3, { depthMultiplier: 2, dilationRate: [1, 2], padding: 'same', depthwiseRegularizer: 'l2', depthwiseConstraint: 'max_norm' });
    const clone = cloneWithWeights(fancy, x);
    expect(clone.getConfig()).toEqual({ ...fancy.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), fancy.apply(x), { atol: 0 }));
    x.dispose();
  });

  it('rejects bad arguments, a wrong rank or channel count with the layer name and both shapes', () => {
    expect(() => new DepthwiseConv2D(3, { depthMultiplier: 0 })).toThrow(/depth_multiplier/);
    expect(() => new DepthwiseConv2D(3, { strides: 2, dilationRate: 2 })).toThrow(/dilation_rate/);
    expect(() => new DepthwiseConv2D(3, { padding: 'causal' })).toThrow(/padding/);
    const layer = new DepthwiseConv2D(3, { name: 'dw_probe' });
    expect(() => tidy(() => layer.apply(randomTensor([6, 6, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => layer.apply(randomTensor([6, 6, 1])))).toThrow(/dw_probe.*\(6, 6, 1\)/);
    tidy(() => layer.apply(randomTensor([1, 6, 6, 2])));
    expect(() => tidy(() => layer.apply(randomTensor([1, 6, 6, 3])))).toThrow(/dw_probe.*\(None, None, None, 2\).*\(1, 6, 6, 3\)/);
    expect(() => tidy(() => new DepthwiseConv2D(5, { name: 'too_big' }).apply(randomTensor([1, 3, 3, 1])))).toThrow(/too_big.*negative/);
  });

  it('symbolic call gives the output shape; no tensor leak', async () => {
    const y = new DepthwiseConv2D(3, { depthMultiplier: 2 }).apply(Input({ shape: [8, null, 4] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 6, null, 8]);
    const layer = new DepthwiseConv2D(2, { dilationRate: 2, dataFormat: 'channels_first' });
    const x = randomTensor([2, 3, 5, 5]);
    tidy(() => layer.apply(x));
    expect(await tensorLeak(() => tidy(() => { layer.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
