import { type Config, KerasTensor, ShapeError, type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import {
  cloneWithWeights,
  fixtureInputs,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  projectedSum,
  pseudoRandom,
  randomTensor,
  weightGradError,
} from '../testing/layer-checks';
import { Conv2D } from './conv2d';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

interface RefOptions {
  strides?: [number, number];
  padding?: 'valid' | 'same';
  dilation?: [number, number];
  groups?: number;
}

/**
 * A direct (loop) implementation of Keras' Conv2D on NHWC, for reference: 'same' pads
 * `pad_total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)` with the extra pixel at the bottom/right.
 */
function refConv(x: number[], xs: number[], k: number[], ks: number[], bias: number[] | null, o: RefOptions = {}) {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [kh, kw, cin, f] = ks as [number, number, number, number];
  const [sh, sw] = o.strides ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const groups = o.groups ?? 1;
  const same = o.padding === 'same';
  const ekh = (kh - 1) * dh + 1;
  const ekw = (kw - 1) * dw + 1;
  const oh = same ? Math.ceil(h / sh) : Math.floor((h - ekh) / sh) + 1;
  const ow = same ? Math.ceil(w / sw) : Math.floor((w - ekw) / sw) + 1;
  const pt = same ? Math.floor(Math.max((oh - 1) * sh + ekh - h, 0) / 2) : 0;
  const pl = same ? Math.floor(Math.max((ow - 1) * sw + ekw - w, 0) / 2) : 0;
  const fPerGroup = f / groups;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let m = 0; m < f; m++) {
          const g = Math.floor(m / fPerGroup);
          let s = bias ? bias[m]! : 0;
          for (let a = 0; a < kh; a++)
            for (let e = 0; e < kw; e++) {
              const y = i * sh + a * dh - pt;
              const z = j * sw + e * dw - pl;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (let q = 0; q < cin; q++) s += x[((b * h + y) * w + z) * c + g * cin + q]! * k[((a * kw + e) * cin + q) * f + m]!;
            }
          out.push(s);
        }
  return { data: out, shape: [n, oh, ow, f] };
}

function data(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('Conv2D', () => {
  it('matches the Keras cnn fixture (Conv2D(8, 3, relu, valid) on (3, 12, 12, 1))', () => {
    const [image] = fixtureInputs('cnn');
    const conv = new Conv2D(8, 3, { activation: 'relu' });
    tidy(() => {
      conv.apply(image!);
      conv.setWeights(fixtureLayerWeights('cnn', 'conv'));
      expectAllClose(conv.apply(image!), fixtureLayerOutput('cnn', 'conv'), { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('matches the Keras mnv2_block stem (stride 2, same padding, no bias: 16 -> 8) and 1x1 convs', () => {
    const [image] = fixtureInputs('mnv2_block');
    tidy(() => {
      const stem = new Conv2D({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
      stem.apply(image!);
      stem.setWeights(fixtureLayerWeights('mnv2_block', 'stem_conv'));
      expectAllClose(stem.apply(image!), fixtureLayerOutput('mnv2_block', 'stem_conv'), { atol: 1e-5, rtol: 1e-4 });
      const expand = new Conv2D(16, 1, 1, 'same', { useBias: false });
      const h = fixtureLayerOutput('mnv2_block', 'stem_relu');
      expand.apply(h);
      expand.setWeights(fixtureLayerWeights('mnv2_block', 'expand'));
      expectAllClose(expand.apply(h), fixtureLayerOutput('mnv2_block', 'expand'), { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('strides, same/valid padding, dilation and groups match a direct loop implementation', () => {
    const cases: { opts: ConstructorParameters<typeof Conv2D>[0] & object; xShape: number[]; ref: RefOptions }[] = [
      { opts: { filters: 3, kernelSize: [2, 3], strides: [2, 1], padding: 'same' }, xShape: [2, 5, 6, 2], ref: { strides: [2, 1], padding: 'same' } },
      { opts: { filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }, xShape: [1, 7, 6, 3], ref: { strides: [2, 2] } },
      { opts: { filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }, xShape: [1, 5, 5, 2], ref: { dilation: [2, 2], padding: 'same' } },
      { opts: { filters: 4, kernelSize: 2, groups: 2 }, xShape: [2, 4, 4, 6], ref: { groups: 2 } },
      // One input channel per group (ConvNeXt's 7x7): runs as a depthwise convolution.
      { opts: { filters: 6, kernelSize: 3, groups: 3, strides: 2, padding: 'same' }, xShape: [2, 5, 6, 3], ref: { groups: 3, strides: [2, 2], padding: 'same' } },
      { opts: { filters: 4, kernelSize: 2, groups: 4, dilationRate: 2, padding: 'same' }, xShape: [1, 5, 5, 4], ref: { groups: 4, dilation: [2, 2], padding: 'same' } },
    ];
    cases.forEach(({ opts, xShape, ref }, i) => {
      const conv = new Conv2D({ ...opts, biasInitializer: 'random_normal' });
      const x = randomTensor(xShape, 10 + i);
      tidy(() => {
        const y = conv.apply(x);
        const r = refConv(data(x), xShape, data(conv.kernel!.value), conv.kernel!.shape, data(conv.bias!.value), ref);
        expect(y.shape).toEqual(r.shape);
        expect(conv.computeOutputShape([null, ...xShape.slice(1)])).toEqual([null, ...r.shape.slice(1)]);
        expectAllClose(y, r.data, { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('channels_first equals channels_last on transposed inputs', () => {
    const cl = new Conv2D(3, 2, { padding: 'same', strides: 2 });
    const cf = new Conv2D(3, 2, { padding: 'same', strides: 2, dataFormat: 'channels_first' });
    tidy(() => {
      const x = randomTensor([2, 5, 4, 2], 3); // NHWC
      const xcf = ops.transpose(x, [0, 3, 1, 2]);
      cl.apply(x);
      cf.apply(xcf);
      expect(cf.kernel!.shape).toEqual([2, 2, 2, 3]);
      cf.setWeights(cl.getWeights());
      const y = cf.apply(xcf);
      expect(y.shape).toEqual([2, 3, 3, 2]);
      expect(cf.computeOutputShape([null, 2, 5, 4])).toEqual([null, 3, 3, 2]);
      expectAllClose(y, ops.transpose(cl.apply(x), [0, 3, 1, 2]), { atol: 1e-6 });
    });
  });

  it('creates kernel (kh, kw, in / groups, filters) and bias; validates arguments', () => {
    const conv = new Conv2D(4, [3, 2], { groups: 2 });
    tidy(() => conv.apply(randomTensor([1, 5, 5, 6])));
    expect(conv.weights.map((w) => [w.name, w.shape])).toEqual([
      ['kernel', [3, 2, 3, 4]],
      ['bias', [4]],
    ]);
    expect(() => new Conv2D(5, 3, { groups: 2 })).toThrow(/divisible/);
    expect(() => tidy(() => new Conv2D(4, 3, { groups: 4 }).apply(randomTensor([1, 5, 5, 6])))).toThrow(/divisible/);
    expect(() => new Conv2D(4, 3, { strides: 2, dilationRate: 2 })).toThrow(/dilation_rate/);
    expect(() => new Conv2D(0, 3)).toThrow(/filters/);
    expect(() => new Conv2D(2, 3, { padding: 'causal' as never })).toThrow(/padding/);
    expect(() => tidy(() => new Conv2D(2, 5, { name: 'too_big' }).apply(randomTensor([1, 3, 3, 1])))).toThrow(/too_big.*negative/);
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const x = randomTensor([1, 4, 4, 2], 21);
    const conv = new Conv2D(2, 2, { strides: 2, padding: 'same', activation: 'tanh', biasInitializer: 'random_normal' });
    tidy(() => conv.apply(x));
    expect(gradientError((t) => projectedSum(conv.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(conv, x)).toBeLessThan(1e-2);
    const grouped = new Conv2D(2, 2, { groups: 2, activation: 'tanh' });
    tidy(() => grouped.apply(x));
    expect(gradientError((t) => projectedSum(grouped.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradError(grouped, x)).toBeLessThan(1e-2);
  });

  it('config matches Keras key for key and round-trips', () => {
    const conv = new Conv2D(8, 3, { activation: 'relu', name: 'conv' });
    expect(conv.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('cnn', 'conv')));
    expect(Object.keys(conv.getConfig()).sort()).toEqual(Object.keys(fixtureLayerConfig('cnn', 'conv')).sort());
    const stem = new Conv2D(8, 3, 2, 'same', { useBias: false, name: 'stem_conv' });
    expect(stem.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'stem_conv')));
    const fromKeras = Conv2D.fromConfig(fixtureLayerConfig('mnv2_block', 'stem_conv'));
    expect([fromKeras.strides, fromKeras.padding, fromKeras.useBias]).toEqual([[2, 2], 'same', false]);
    const x = randomTensor([2, 6, 6, 4]);
    const fancy = new Conv2D(4, 3, { groups: 2, dilationRate: [1, 2], padding: 'same', kernelRegularizer: 'l2', kernelConstraint: 'max_norm' });
    const clone = cloneWithWeights(fancy, x);
    expect(clone.getConfig()).toEqual({ ...fancy.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), fancy.apply(x), { atol: 0 }));
  });

  it('rejects a wrong rank or channel count with the layer name and both shapes', () => {
    const conv = new Conv2D(2, 3, { name: 'conv_probe' });
    expect(() => tidy(() => conv.apply(randomTensor([12, 12, 1])))).toThrow(ShapeError);
    expect(() => tidy(() => conv.apply(randomTensor([12, 12, 1])))).toThrow(/conv_probe.*\(None, None, None, None\).*\(12, 12, 1\)/);
    expect(conv.weights.length).toBe(0);
    tidy(() => conv.apply(randomTensor([1, 6, 6, 1])));
    expect(() => tidy(() => conv.apply(randomTensor([2, 6, 6, 3])))).toThrow(/conv_probe.*\(None, None, None, 1\).*\(2, 6, 6, 3\)/);
  });

  it('symbolic call gives a KerasTensor of the output shape; no tensor leak', async () => {
    const y = new Conv2D(8, 3).apply(Input({ shape: [12, 12, 1] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 10, 10, 8]);
    expect(new Conv2D(4, 3, { padding: 'same', strides: 2 }).apply(Input({ shape: [null, 7, 2] })).shape).toEqual([null, null, 4, 4]);
    const conv = new Conv2D(2, 2, { groups: 2, dataFormat: 'channels_first' });
    const x = tensor(pseudoRandom(2 * 4 * 3 * 3), [2, 4, 3, 3]);
    tidy(() => conv.apply(x));
    expect(await tensorLeak(() => tidy(() => { conv.apply(x); }))).toBe(0);
    expect(await tensorLeak(() => conv.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
