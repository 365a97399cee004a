import { KerasTensor, ops, ShapeError, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, projectedSum, randomTensor } from '../testing/layer-checks';
import { AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling3D } from './index';

/** Float64 reference N-D pooling of a channels_last array; 'same' averages only the real entries. */
function refPool(x: Tensor, mode: 'max' | 'average', k: number[], s: number[], padding: 'valid' | 'same'): { data: number[]; shape: number[] } {
  const d = Array.from(x.dataSync());
  const [b, ...rest] = x.shape as number[];
  const c = rest.pop()!;
  const n = rest.length;
  const outs = rest.map((L, i) => (padding === 'same' ? Math.floor((L - 1) / s[i]!) + 1 : Math.floor((L - k[i]!) / s[i]!) + 1));
  const before = rest.map((L, i) => Math.floor(Math.max((outs[i]! - 1) * s[i]! + k[i]! - L, 0) / 2) * (padding === 'same' ? 1 : 0));
  const strideOf = (i: number) => rest.slice(i + 1).reduce((a, v) => a * v, 1) * c;
  const data: number[] = [];
  const total = outs.reduce((a, v) => a * v, 1);
  for (let bi = 0; bi < b; bi++) {
    for (let o = 0; o < total; o++) {
      const idx: number[] = [];
      let r = o;
      for (let i = n - 1; i >= 0; i--) {
        idx[i] = r % outs[i]!;
        r = Math.floor(r / outs[i]!);
      }
      for (let ch = 0; ch < c; ch++) {
        let acc = mode === 'max' ? -Infinity : 0;
        let count = 0;
        const visit = (axis: number, offset: number) => {
          if (axis === n) {
            const v = d[bi * rest.reduce((a, q) => a * q, 1) * c + offset + ch]!;
            acc = mode === 'max' ? Math.max(acc, v) : acc + v;
            count++;
            return;
          }
          for (let j = 0; j < k[axis]!; j++) {
            const p = idx[axis]! * s[axis]! - before[axis]! + j;
            if (p >= 0 && p < rest[axis]!) visit(axis + 1, offset + p * strideOf(axis));
          }
        };
        visit(0, 0);
        data.push(mode === 'max' ? acc : acc / count);
      }
    }
  }
  return { data, shape: [b, ...outs, c] };
}

const cases = [
  { name: 'MaxPooling1D', make: (a: object) => new MaxPooling1D(a), mode: 'max' as const, rank: 1 },
  { name: 'AveragePooling1D', make: (a: object) => new AveragePooling1D(a), mode: 'average' as const, rank: 1 },
  { name: 'AveragePooling2D', make: (a: object) => new AveragePooling2D(a), mode: 'average' as const, rank: 2 },
  { name: 'MaxPooling3D', make: (a: object) => new MaxPooling3D(a), mode: 'max' as const, rank: 3 },
  { name: 'AveragePooling3D', make: (a: object) => new AveragePooling3D(a), mode: 'average' as const, rank: 3 },
];
const spatialOf = (rank: number) => [7, 5, 4].slice(0, rank);

describe('local pooling (hand-computed)', () => {
  it('1-D and 2-D values; same average pooling excludes the padding from the count', () => {
    tidy(() => {
      const seq = tensor([0, 3, 1, 2, 5], [1, 5, 1]);
      expectAllClose(new MaxPooling1D(2, 1).apply(seq), [[[3], [3], [2], [5]]]);
      expectAllClose(new MaxPooling1D().apply(seq), [[[3], [2]]]);
      const ramp = tensor([0, 1, 2, 3, 4], [1, 5, 1]);
      expectAllClose(new AveragePooling1D(2, null, 'same').apply(ramp), [[[0.5], [2.5], [4]]]);
      expectAllClose(new AveragePooling1D(3, 1, 'same').apply(ramp), [[[0.5], [1], [2], [3], [3.5]]]);
      const img = tensor(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
      expectAllClose(new AveragePooling2D(2, null, 'same').apply(img), [[[[3], [5], [6.5]], [[13], [15], [16.5]], [[20.5], [22.5], [24]]]]);
      expectAllClose(new AveragePooling2D().apply(img), [[[[3], [5]], [[13], [15]]]]);
      expectAllClose(new MaxPooling3D(2).apply(tensor(Array.from({ length: 8 }, (_, i) => i), [1, 2, 2, 2, 1])), tensor([7], [1, 1, 1, 1, 1]));
      expectAllClose(new AveragePooling3D(2).apply(tensor(Array.from({ length: 8 }, (_, i) => i), [1, 2, 2, 2, 1])), tensor([3.5], [1, 1, 1, 1, 1]));
    });
  });
});

for (const c of cases) {
  describe(c.name, () => {
    const spatial = spatialOf(c.rank);
    it('matches a float64 reference for valid/same, strides and channels_first', () => {
      tidy(() => {
        const x = randomTensor([2, ...spatial, 3], 5);
        for (const padding of ['valid', 'same'] as const) {
          for (const [k, s] of [
            [2, 2],
            [3, 1],
            [3, 2],
          ] as const) {
            const layer = c.make({ poolSize: k, strides: s, padding });
            const y = layer.apply(x);
            const ref = refPool(x, c.mode, spatial.map(() => k), spatial.map(() => s), padding);
            expect(y.shape).toEqual(ref.shape);
            expect(layer.computeOutputShape([null, ...spatial, 3])).toEqual([null, ...ref.shape.slice(1)]);
            expectAllClose(y, tensor(ref.data, ref.shape), { atol: 1e-5 });
          }
        }
        const perm = [0, c.rank + 1, ...spatial.map((_, i) => i + 1)];
        const back = [0, ...spatial.map((_, i) => i + 2), 1];
        const cf = c.make({ poolSize: 2, padding: 'same', dataFormat: 'channels_first' }).apply(ops.transpose(x, perm));
        expectAllClose(ops.transpose(cf, back), c.make({ poolSize: 2, padding: 'same' }).apply(x), { atol: 0 });
        expect(c.make({ dataFormat: 'channels_first' }).computeOutputShape([null, 3, ...spatial])).toEqual([
          null,
          3,
          ...spatial.map((d) => Math.floor(d / 2)),
        ]);
      });
    });

    it('gradient matches finite differences (same padding, overlapping windows)', () => {
      const layer = c.make({ poolSize: 2, strides: 1, padding: 'same' });
      const x = randomTensor([1, ...spatial.map(() => 3), 2], 9);
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
      x.dispose();
    });

    it('config has the Keras keys and round-trips', () => {
      const layer = c.make({ poolSize: 3, strides: 2, padding: 'same', name: `p_${c.name}` });
      const config = layer.getConfig();
      expect(Object.keys(config).sort()).toEqual(['data_format', 'dtype', 'name', 'padding', 'pool_size', 'strides', 'trainable']);
      expect(config.pool_size).toEqual(spatial.map(() => 3));
      expect(config.strides).toEqual(spatial.map(() => 2));
      expect(c.make({}).getConfig().pool_size).toEqual(spatial.map(() => 2));
      expect(c.make({}).getConfig().padding).toBe('valid');
      const x = randomTensor([1, ...spatial, 2]);
      const clone = cloneWithWeights(layer, x);
      expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
      tidy(() => expectAllClose(clone.apply(x), layer.apply(x), { atol: 0 }));
      x.dispose();
    });

    it('rejects a wrong rank and oversized windows naming the layer and shapes', () => {
      const layer = c.make({ name: `bad_${c.name}` });
      const wrong = [2, ...spatial];
      expect(() => tidy(() => layer.apply(randomTensor(wrong)))).toThrow(ShapeError);
      expect(() => tidy(() => layer.apply(randomTensor(wrong)))).toThrow(new RegExp(`bad_${c.name}.*\\(${wrong.join(', ')}\\)`));
      expect(() => tidy(() => c.make({ poolSize: 9, name: `big_${c.name}` }).apply(randomTensor([1, ...spatial, 1])))).toThrow(
        new RegExp(`big_${c.name}.*negative`),
      );
    });

    it('symbolic call gives the output shape; no tensor leak', async () => {
      const y = c.make({ padding: 'same' }).apply(Input({ shape: [...spatial, 4] }));
      expect(y).toBeInstanceOf(KerasTensor);
      expect(y.shape).toEqual([null, ...spatial.map((d) => Math.ceil(d / 2)), 4]);
      const layer = c.make({ padding: 'same', dataFormat: 'channels_first' });
      const x = randomTensor([1, 2, ...spatial]);
      expect(await tensorLeak(() => layer.apply(x).dispose())).toBe(0);
      x.dispose();
    });
  });
}
