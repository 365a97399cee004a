import { type Tensor, ops, tensor } from '@strata/core';
import { checkLayer } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { adaptiveWindows } from './adaptive-pooling';
import { AdaptiveAveragePooling1D, AdaptiveAveragePooling3D, AdaptiveMaxPooling1D, AdaptiveMaxPooling3D } from './adaptive-pooling-1d3d';

/** Channels_last input with distinct, well-separated values (no near-ties for max pooling). */
function input(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, k) => ((k * 37) % n) * 0.1 - 1), shape);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const max = (v: number[]) => Math.max(...v);

/** Float64 reference for a channels_last (1, L, C) array. */
function ref1d(x: number[][][], o: number, reduce: (v: number[]) => number): number[][][] {
  const seq = x[0]!;
  return [adaptiveWindows(seq.length, o).map(([s, e]) => seq[0]!.map((_, ch) => reduce(seq.slice(s, e).map((row) => row[ch]!))))];
}

/** Float64 reference for a channels_last (1, D, H, W, C) array. */
function ref3d(x: number[][][][][], os: [number, number, number], reduce: (v: number[]) => number): number[][][][][] {
  const vol = x[0]!;
  const [dw, hw, ww] = [adaptiveWindows(vol.length, os[0]), adaptiveWindows(vol[0]!.length, os[1]), adaptiveWindows(vol[0]![0]!.length, os[2])];
  const channels = vol[0]![0]![0]!.length;
  return [
    dw.map(([d0, d1]) =>
      hw.map(([h0, h1]) =>
        ww.map(([w0, w1]) =>
          Array.from({ length: channels }, (_, ch) => {
            const v: number[] = [];
            for (let d = d0; d < d1; d++) for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) v.push(vol[d]![h]![w]![ch]!);
            return reduce(v);
          }),
        ),
      ),
    ),
  ];
}

describe('AdaptiveAveragePooling1D / AdaptiveMaxPooling1D', () => {
  it('AdaptiveAveragePooling1D passes the standard check (overlapping windows)', () => {
    const x = input([1, 7, 2]);
    const { layer } = checkLayer({
      make: () => new AdaptiveAveragePooling1D(3),
      input: x,
      expected: ref1d(x.arraySync() as number[][][], 3, mean),
      badInputs: [{ input: tensor([[1, 2]]), message: /"adaptive_average_pooling1d(_\d+)?".*ndim=3.*\(1, 2\)/ }],
    });
    expect(layer.getConfig()).toMatchObject({ output_size: [3], data_format: 'channels_last' });
    expect(layer.computeOutputShape([null, 11, 4])).toEqual([null, 3, 4]);
    x.dispose();
  });

  it('AdaptiveMaxPooling1D passes the standard check; channels_first agrees with channels_last', () => {
    const x = input([2, 5, 3]);
    const want = ref1d((x.arraySync() as number[][][]).slice(0, 1), 2, max).concat(ref1d((x.arraySync() as number[][][]).slice(1), 2, max));
    checkLayer({ make: () => new AdaptiveMaxPooling1D({ outputSize: [2] }), input: x, expected: want });
    const xf = ops.transpose(x, [0, 2, 1]);
    checkLayer({
      make: () => new AdaptiveMaxPooling1D(2, { dataFormat: 'channels_first' }),
      input: xf,
      expected: ops.transpose(tensor(want), [0, 2, 1]),
    });
    expect(new AdaptiveMaxPooling1D(4, { dataFormat: 'channels_first' }).computeOutputShape([null, 3, 9])).toEqual([null, 3, 4]);
    expect(() => new AdaptiveMaxPooling1D([1, 2] as never)).toThrow(/output_size/);
    expect(() => new AdaptiveAveragePooling1D(0)).toThrow(/output_size/);
    x.dispose();
    xf.dispose();
  });
});

describe('AdaptiveAveragePooling3D / AdaptiveMaxPooling3D', () => {
  it('AdaptiveAveragePooling3D passes the standard check', () => {
    const x = input([1, 3, 5, 4, 2]);
    const { layer } = checkLayer({
      make: () => new AdaptiveAveragePooling3D([2, 3, 2]),
      input: x,
      expected: ref3d(x.arraySync() as number[][][][][], [2, 3, 2], mean),
      badInputs: [{ input: input([1, 4, 4, 2]), message: /"adaptive_average_pooling3d(_\d+)?".*ndim=5.*\(1, 4, 4, 2\)/ }],
    });
    expect(layer.getConfig()).toMatchObject({ output_size: [2, 3, 2], data_format: 'channels_last' });
    x.dispose();
  });

  it('AdaptiveMaxPooling3D passes the standard check; channels_first agrees; int size expands', () => {
    const x = input([1, 4, 3, 5, 2]);
    const want = ref3d(x.arraySync() as number[][][][][], [3, 2, 2], max);
    checkLayer({ make: () => new AdaptiveMaxPooling3D({ outputSize: [3, 2, 2] }), input: x, expected: want });
    const xf = ops.transpose(x, [0, 4, 1, 2, 3]);
    checkLayer({
      make: () => new AdaptiveMaxPooling3D([3, 2, 2], { dataFormat: 'channels_first' }),
      input: xf,
      expected: ops.transpose(tensor(want), [0, 4, 1, 2, 3]),
    });
    const cube = new AdaptiveAveragePooling3D(2);
    expect(cube.outputSize).toEqual([2, 2, 2]);
    expect(cube.computeOutputShape([null, 6, 6, 6, 3])).toEqual([null, 2, 2, 2, 3]);
    expect(() => new AdaptiveMaxPooling3D([1, 2] as never)).toThrow(/output_size/);
    x.dispose();
    xf.dispose();
  });
});
