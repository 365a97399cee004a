import { type Config, KerasTensor, ops, ShapeError, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import type { Layer } from '../layer';
import { cloneWithWeights, fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import {
  Cropping1D,
  Cropping2D,
  Cropping3D,
  Permute,
  RepeatVector,
  UpSampling1D,
  UpSampling2D,
  UpSampling3D,
  ZeroPadding1D,
  ZeroPadding2D,
  ZeroPadding3D,
} from './index';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));
const base = ['dtype', 'name', 'trainable'];

/** Bilinear resize, float64, TF/JAX half-pixel centers with clamped edges (independent of the layer's matrices). */
function refBilinear(x: Tensor, sh: number, sw: number): Tensor {
  const [b, h, w, c] = x.shape as number[];
  const d = x.dataSync();
  const oh = h * sh;
  const ow = w * sw;
  const out: number[] = [];
  const src = (i: number, s: number, n: number) => {
    const f = Math.min(Math.max((i + 0.5) / s - 0.5, 0), n - 1);
    const lo = Math.floor(f);
    return [lo, Math.min(lo + 1, n - 1), f - lo] as const;
  };
  for (let bi = 0; bi < b; bi++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          const [y0, y1, fy] = src(i, sh, h);
          const [x0, x1, fx] = src(j, sw, w);
          const at = (y: number, xx: number) => d[((bi * h + y) * w + xx) * c + ch]!;
          out.push((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1)));
        }
  return tensor(out, [b, oh, ow, c]);
}

describe('ZeroPadding / Cropping', () => {
  it('ZeroPadding2D(((0,1),(0,1))) matches the Keras mnv2_block fixture and its config', () => {
    tidy(() => expectAllClose(new ZeroPadding2D([[0, 1], [0, 1]]).apply(fixtureLayerOutput('mnv2_block', 'add')), fixtureLayerOutput('mnv2_block', 'pad'), { atol: 0 }));
    expect(new ZeroPadding2D({ padding: [[0, 1], [0, 1]], name: 'pad' }).getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'pad')));
  });

  it('hand-computed values and argument forms', () => {
    tidy(() => {
      const seq = tensor([1, 2, 3], [1, 3, 1]);
      expectAllClose(new ZeroPadding1D().apply(seq), [[[0], [1], [2], [3], [0]]]);
      expectAllClose(new ZeroPadding1D([2, 0]).apply(seq), [[[0], [0], [1], [2], [3]]]);
      expectAllClose(new Cropping1D().apply(seq), [[[2]]]);
      expectAllClose(new Cropping1D([0, 2]).apply(seq), [[[1]]]);
      const img = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      expectAllClose(new ZeroPadding2D().apply(img), ops.reshape(tensor([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]), [1, 4, 4, 1]));
      expect(new ZeroPadding2D([1, 2]).apply(img).shape).toEqual([1, 4, 6, 1]);
      expectAllClose(new ZeroPadding2D([[1, 0], [0, 1]], 'channels_first').apply(ops.reshape(img, [1, 1, 2, 2])), ops.reshape(tensor([0, 0, 0, 1, 2, 0, 3, 4, 0]), [1, 1, 3, 3]));
      expectAllClose(new Cropping2D([[1, 0], [0, 1]]).apply(img), ops.reshape(tensor([3]), [1, 1, 1, 1]));
      const cube = randomTensor([1, 4, 5, 6, 2]);
      const padded = new ZeroPadding3D([[1, 0], [2, 2], [0, 1]]).apply(cube);
      expect(padded.shape).toEqual([1, 5, 9, 7, 2]);
      expectAllClose(new Cropping3D([[1, 0], [2, 2], [0, 1]]).apply(padded), cube, { atol: 0 });
      expect(new ZeroPadding3D().computeOutputShape([null, 2, null, 3, 4])).toEqual([null, 4, null, 5, 4]);
      expect(new Cropping3D({ dataFormat: 'channels_first' }).computeOutputShape([null, 4, 3, 5, 6])).toEqual([null, 4, 1, 3, 4]);
    });
    expect(() => new ZeroPadding2D({ padding: [1, 2, 3] as never })).toThrow(/padding/);
    expect(() => new Cropping1D({ cropping: -1 })).toThrow(/cropping/);
  });
});

describe('UpSampling', () => {
  it('nearest repeats entries (1-D, 2-D, 3-D, channels_first)', () => {
    tidy(() => {
      expectAllClose(new UpSampling1D(3).apply(tensor([1, 2], [1, 2, 1])), [[[1], [1], [1], [2], [2], [2]]]);
      const img = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      expectAllClose(new UpSampling2D([1, 2]).apply(img), [[[[1], [1], [2], [2]], [[3], [3], [4], [4]]]]);
      expectAllClose(new UpSampling2D(2, 'channels_first').apply(ops.reshape(img, [1, 1, 2, 2])), ops.reshape(tensor([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]), [1, 1, 4, 4]));
      const y = new UpSampling3D().apply(tensor([1, 2], [1, 1, 1, 2, 1]));
      expect(y.shape).toEqual([1, 2, 2, 4, 1]);
      expectAllClose(ops.reshape(y, [16]), [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
    });
  });

  it('bilinear matches a float64 half-pixel reference (Keras 3 / jax.image.resize)', () => {
    tidy(() => {
      const img = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      // by hand: rows/cols sample at -0.25, 0.25, 0.75, 1.25 -> weights clamp at the edges
      expectAllClose(new UpSampling2D(2, null, 'bilinear').apply(img), [
        [[[1], [1.25], [1.75], [2]], [[1.5], [1.75], [2.25], [2.5]], [[2.5], [2.75], [3.25], [3.5]], [[3], [3.25], [3.75], [4]]],
      ]);
      const x = randomTensor([2, 3, 4, 2], 3);
      for (const s of [[2, 3], [3, 1], [4, 4]] as [number, number][]) {
        expectAllClose(new UpSampling2D({ size: s, interpolation: 'bilinear' }).apply(x), refBilinear(x, s[0], s[1]), { atol: 1e-5 });
      }
      const cf = new UpSampling2D({ size: 2, interpolation: 'bilinear', dataFormat: 'channels_first' }).apply(ops.transpose(x, [0, 3, 1, 2]));
      expectAllClose(ops.transpose(cf, [0, 2, 3, 1]), refBilinear(x, 2, 2), { atol: 1e-5 });
    });
    expect(() => new UpSampling2D({ interpolation: 'area' as never })).toThrow(/interpolation/);
  });
});

describe('Permute / RepeatVector', () => {
  it('values and shapes', () => {
    tidy(() => {
      const x = randomTensor([2, 3, 4, 5]);
      const y = new Permute([3, 1, 2]).apply(x);
      expect(y.shape).toEqual([2, 5, 3, 4]);
      expectAllClose(y, ops.transpose(x, [0, 3, 1, 2]), { atol: 0 });
      expectAllClose(new RepeatVector(3).apply(tensor([[1, 2]])), [[[1, 2], [1, 2], [1, 2]]]);
    });
    expect(() => new Permute([0, 1])).toThrow(/consecutive and start from 1/);
    expect(() => new RepeatVector(1.5)).toThrow(/integer/);
  });
});

const layers: { make: () => Layer; shape: number[]; keys: string[]; wrong: number[] }[] = [
  { make: () => new ZeroPadding1D([1, 2]), shape: [2, 3, 2], keys: ['padding', 'data_format'], wrong: [2, 3] },
  { make: () => new ZeroPadding2D([[1, 0], [2, 1]]), shape: [1, 3, 2, 2], keys: ['padding', 'data_format'], wrong: [3, 2, 2] },
  { make: () => new ZeroPadding3D(1, 'channels_first'), shape: [1, 2, 2, 2, 2], keys: ['padding', 'data_format'], wrong: [2, 2, 2, 2] },
  { make: () => new Cropping1D([1, 0]), shape: [2, 3, 2], keys: ['cropping'], wrong: [3, 2] },
  { make: () => new Cropping2D([[1, 0], [0, 1]]), shape: [1, 3, 3, 2], keys: ['cropping', 'data_format'], wrong: [3, 3, 2] },
  { make: () => new Cropping3D(), shape: [1, 3, 3, 4, 1], keys: ['cropping', 'data_format'], wrong: [3, 3, 4, 1] },
  { make: () => new UpSampling1D(2), shape: [1, 3, 2], keys: ['size'], wrong: [3, 2] },
  { make: () => new UpSampling2D([2, 3], null, 'bilinear'), shape: [1, 2, 3, 2], keys: ['size', 'data_format', 'interpolation'], wrong: [2, 3, 2] },
  { make: () => new UpSampling2D(2), shape: [1, 2, 2, 1], keys: ['size', 'data_format', 'interpolation'], wrong: [2, 2, 1] },
  { make: () => new UpSampling3D([1, 2, 1]), shape: [1, 2, 2, 2, 1], keys: ['size', 'data_format'], wrong: [2, 2, 2, 1] },
  { make: () => new Permute([2, 1]), shape: [2, 3, 4], keys: ['dims'], wrong: [2, 3] },
  { make: () => new RepeatVector(3), shape: [2, 4], keys: ['n'], wrong: [2, 4, 1] },
];

describe('reshaping layers: shapes, gradients, configs, errors, leaks', () => {
  for (const c of layers) {
    const label = c.make().className + (c.make().getConfig().interpolation === 'bilinear' ? ' (bilinear)' : '');
    it(label, async () => {
      const layer = c.make();
      const x = randomTensor(c.shape, 4);
      const config = layer.getConfig();
      expect(Object.keys(config).sort()).toEqual([...base, ...c.keys].sort());
      tidy(() => {
        const y = layer.apply(x);
        expect(layer.computeOutputShape(c.shape)).toEqual(y.shape);
        const sym = layer.apply(Input({ shape: c.shape.slice(1) }));
        expect(sym).toBeInstanceOf(KerasTensor);
        expect(sym.shape).toEqual([null, ...y.shape.slice(1)]);
      });
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
      const clone = cloneWithWeights(layer, x);
      expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
      tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
      expect(() => tidy(() => layer.apply(randomTensor(c.wrong)))).toThrow(ShapeError);
      expect(() => tidy(() => layer.apply(randomTensor(c.wrong)))).toThrow(new RegExp(`${layer.name}.*\\(${c.wrong.join(', ')}\\)`));
      expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
      x.dispose();
    });
  }

  it('too much cropping is a ShapeError naming the layer', () => {
    expect(() => tidy(() => new Cropping2D(2, { name: 'crop_probe' }).apply(randomTensor([1, 4, 4, 1])))).toThrow(/crop_probe.*too large.*\(1, 4, 4, 1\)/);
  });
});
