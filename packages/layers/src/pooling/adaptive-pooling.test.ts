import { type Tensor, ops, tensor } from '@strata/core';
import { describe, expect, it } from 'vitest';
//(lead): import from '@strata/test-utils' once layer-checks is exported from its index.
import { checkLayer } from '@strata/test-utils';
import { AdaptiveAveragePooling2D, AdaptiveMaxPooling2D, adaptiveWindows } from './adaptive-pooling';

/** (1, H, W, C) input with distinct, well-separated values (so max pooling has no near-ties). */
function input(h: number, w: number, c: number): Tensor {
  const n = h * w * c;
  return tensor(Float32Array.from({ length: n }, (_, k) => ((k * 37) % n) * 0.1 - 1), [1, h, w, c]);
}

/** Direct reference: reduce each (rows x cols) window of a channels-last (1, H, W, C) array. */
function reference(x: number[][][][], oh: number, ow: number, reduce: (v: number[]) => number): number[][][][] {
  const img = x[0]!;
  const rows = adaptiveWindows(img.length, oh);
  const cols = adaptiveWindows(img[0]!.length, ow);
  const channels = img[0]![0]!.length;
  return [
    rows.map(([r0, r1]) =>
      cols.map(([c0, c1]) =>
        Array.from({ length: channels }, (_, ch) => {
          const v: number[] = [];
          for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) v.push(img[r]![c]![ch]!);
          return reduce(v);
        }),
      ),
    ),
  ];
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const max = (v: number[]) => Math.max(...v);

describe('AdaptiveAveragePooling2D / AdaptiveMaxPooling2D', () => {
  it('windows follow floor(i*L/O) .. ceil((i+1)*L/O)', () => {
    expect(adaptiveWindows(5, 2)).toEqual([
      [0, 3],
      [2, 5],
    ]);
    expect(adaptiveWindows(7, 3)).toEqual([
      [0, 3],
      [2, 5],
      [4, 7],
    ]);
    expect(adaptiveWindows(4, 4)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  it('AdaptiveAveragePooling2D passes the standard layer check (channels_last, overlapping windows)', () => {
    const x = input(5, 7, 2);
    const { layer } = checkLayer({
      make: () => new AdaptiveAveragePooling2D([2, 3]),
      input: x,
      expected: reference(x.arraySync() as number[][][][], 2, 3, mean),
      badInputs: [{ input: tensor([[1, 2]]), message: /ndim=4|expected ndim|rank/i }],
    });
    expect(layer.getConfig()).toMatchObject({ output_size: [2, 3], data_format: 'channels_last' });
    x.dispose();
  });

  it('AdaptiveMaxPooling2D passes the standard layer check; channels_first agrees with channels_last', () => {
    const x = input(6, 4, 3);
    const want = reference(x.arraySync() as number[][][][], 4, 3, max);
    checkLayer({ make: () => new AdaptiveMaxPooling2D({ outputSize: [4, 3] }), input: x, expected: want });
    const xf = ops.transpose(x, [0, 3, 1, 2]);
    const wantFirst = ops.transpose(tensor(want), [0, 3, 1, 2]);
    checkLayer({
      make: () => new AdaptiveMaxPooling2D([4, 3], { dataFormat: 'channels_first' }),
      input: xf,
      expected: wantFirst,
    });
    const sq = new AdaptiveAveragePooling2D(2, { dataFormat: 'channels_first' });
    expect(sq.outputSize).toEqual([2, 2]);
    expect(sq.computeOutputShape([null, 3, 9, 9])).toEqual([null, 3, 2, 2]);
    expect(() => new AdaptiveMaxPooling2D([1, 2, 3] as never)).toThrow(/output_size/);
    expect(() => new AdaptiveAveragePooling2D(0)).toThrow(/output_size/);
    for (const t of [x, xf, wantFirst]) t.dispose();
  });
});
