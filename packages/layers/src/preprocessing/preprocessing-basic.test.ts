import { type Config, type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { projectedSum, pseudoRandom, randomTensor } from '../testing/layer-checks';
import { CenterCrop } from './center-crop';
import { Normalization } from './normalization';
import { Rescaling } from './rescaling';
import { Resizing } from './resizing';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

/** float64 reference of tf.image.resize bilinear (half_pixel_centers, no antialias) on (N, H, W, C). */
function bilinearRef(x: number[], [n, h, w, c]: number[], oh: number, ow: number): number[] {
  const at = (i: number, size: number, out: number) => {
    const s = ((i + 0.5) * size) / out - 0.5;
    const f = Math.floor(s);
    return [Math.max(f, 0), Math.min(Math.ceil(s), size - 1), s - f] as const;
  };
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < c; k++) {
          const [y0, y1, fy] = at(i, h, oh);
          const [x0, x1, fx] = at(j, w, ow);
          const v = (y: number, xx: number) => x[((b * h + y) * w + xx) * c + k]!;
          const top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * fx;
          const bot = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * fx;
          out.push(top + (bot - top) * fy);
        }
  return out;
}

describe('Rescaling', () => {
  it('computes x * scale + offset (per-channel too) and casts ints to float', () => {
    tidy(() => {
      const y = new Rescaling(1 / 255).apply(tensor([[0, 255, 51]], undefined, 'int32'));
      expect(y.dtype).toBe('float32');
      expectAllClose(y, [[0, 1, 0.2]]);
      expectAllClose(new Rescaling({ scale: [2, 3], offset: -1 }).apply(tensor([[1, 1]])), [[1, 2]]);
    });
  });

  it('round-trips its config with Keras keys, checks args, keeps shape, no leak, exact gradient', async () => {
    const r = new Rescaling(2, 0.5, { name: 'rs' });
    const c = r.getConfig();
    expect(c).toMatchObject({ name: 'rs', scale: 2, offset: 0.5 });
    const back = roundTrip<Rescaling>(r);
    expect([back.scale, back.offset, back.name]).toEqual([2, 0.5, 'rs']);
    expect(r.computeOutputShape([null, 3, 4])).toEqual([null, 3, 4]);
    expect(() => new Rescaling('a' as never)).toThrow(/Rescaling.*scale/);
    const x = randomTensor([2, 3]);
    expect(await tensorLeak(() => r.apply(x).dispose())).toBe(0);
    expect(gradientError((t) => projectedSum(r.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    x.dispose();
  });
});

describe('Normalization', () => {
  it('adapt gives the numpy mean and population variance over all but the last axis', async () => {
    const data = [
      [1, 10],
      [2, 20],
      [3, 60],
      [6, 30],
    ];
    const norm = new Normalization();
    await norm.adapt(data);
    expectAllClose(norm.adaptMean!.value, [3, 30], { atol: 1e-5 });
    expectAllClose(norm.adaptVariance!.value, [3.5, 350], { atol: 1e-4 });
    tidy(() => {
      const y = norm.apply(tensor(data));
      expectAllClose(y, data.map(([a, b]) => [(a! - 3) / Math.sqrt(3.5), (b! - 30) / Math.sqrt(350)]), { atol: 1e-5 });
    });
    expect(norm.weights.map((w) => [w.name, w.shape, w.trainable])).toEqual([
      ['mean', [2], false],
      ['variance', [2], false],
      ['count', [], false], // Keras keeps it for older saved models
    ]);
  });

  it('adapts over an axis of rank-3 data, on a list of batches, and with axis=null (scalar stats)', () => {
    const x = Array.from({ length: 2 * 3 * 2 }, (_, i) => (i * 7) % 5);
    const n = new Normalization({ axis: 1 });
    n.adaptSync(tensor(x, [2, 3, 2]));
    const mean = [0, 1, 2].map((j) => [0, 1, 2, 3].map((k) => x[Math.floor(k / 2) * 6 + j * 2 + (k % 2)]!));
    const m = mean.map((v) => v.reduce((a, b) => a + b) / 4);
    const v = mean.map((vals, j) => vals.reduce((a, b) => a + (b - m[j]!) ** 2, 0) / 4);
    expectAllClose(n.adaptMean!.value, m, { atol: 1e-5 });
    expectAllClose(n.adaptVariance!.value, v, { atol: 1e-5 });
    const all = new Normalization({ axis: null });
    const parts = [tensor([[1], [2]]), tensor([[3], [4]])];
    all.adaptSync(parts);
    expectAllClose(all.adaptMean!.value, 2.5);
    expectAllClose(all.adaptVariance!.value, 1.25);
    for (const p of parts) p.dispose();
  });

  it('uses given mean/variance, inverts, round-trips config with Keras keys', () => {
    const n = new Normalization({ mean: [1, 2], variance: [4, 16] });
    const inv = new Normalization(-1, [1, 2], [4, 16], { invert: true });
    tidy(() => {
      const y = n.apply(tensor([[3, 6]]));
      expectAllClose(y, [[1, 1]]);
      expectAllClose(inv.apply(y), [[3, 6]]);
      expectAllClose(new Normalization({ axis: null, mean: 2, variance: 4 }).apply(tensor([[4, 0]])), [[1, -1]]);
    });
    expect(n.weights).toEqual([]);
    expect(n.getConfig()).toMatchObject({ axis: [-1], invert: false, mean: [1, 2], variance: [4, 16] });
    expect(new Normalization().getConfig()).toMatchObject({ mean: null, variance: null });
    const back = roundTrip<Normalization>(inv);
    expect([back.axis, back.invert, back.inputMean, back.inputVariance]).toEqual([[-1], true, [1, 2], [4, 16]]);
    expect(n.computeOutputShape([null, 2])).toEqual([null, 2]);
  });

  it('rejects bad arguments and mismatched data naming the layer and shapes; gradient, no leaks', async () => {
    expect(() => new Normalization({ mean: [1] })).toThrow(/both `mean` and `variance`/);
    const n = new Normalization({ name: 'nrm' });
    n.adaptSync([[1, 2, 3]]);
    expect(() => n.adaptSync([[1, 2]])).toThrow(/nrm.*\(1, 2\)/);
    expect(() => new Normalization({ mean: 0, variance: 1 }).adaptSync([[1]])).toThrow(/cannot adapt/);
    expect(() => new Normalization({ axis: 3 }).apply(tensor([[1]]))).toThrow(/axis 3/);
    const x = randomTensor([2, 3]);
    expect(await tensorLeak(() => n.apply(x).dispose())).toBe(0);
    expect(await tensorLeak(() => n.adaptSync(x))).toBe(0);
    expect(gradientError((t) => projectedSum(n.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    x.dispose();
  });
});

describe('CenterCrop', () => {
  it('crops the centre (odd differences floor like int()), batched and unbatched', () => {
    tidy(() => {
      const x = tensor(Array.from({ length: 5 * 6 }, (_, i) => i), [1, 5, 6, 1]);
      const y = new CenterCrop(2, 3).apply(x);
      expect(y.shape).toEqual([1, 2, 3, 1]);
      // h_start = int(3/2) = 1, w_start = int(3/2) = 1
      expectAllClose(y, [[[[7], [8], [9]], [[13], [14], [15]]]]);
      expect(new CenterCrop(2, 3).apply(ops3(x)).shape).toEqual([2, 3, 1]);
    });
  });

  it('resizes (smart_resize) when the image is smaller than the target; config; errors; gradient', async () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      const y = new CenterCrop(4, 4).apply(x);
      expectAllClose(y, bilinearRef([1, 2, 3, 4], [1, 2, 2, 1], 4, 4), { shape: [1, 4, 4, 1] });
      // 2x4 image to 3x3: crop to the central 2x2 then resize.
      const z = new CenterCrop(3, 3).apply(tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]));
      expectAllClose(z, bilinearRef([2, 3, 6, 7], [1, 2, 2, 1], 3, 3), { shape: [1, 3, 3, 1] });
    });
    const c = new CenterCrop(2, 2, { name: 'cc' });
    expect(c.getConfig()).toMatchObject({ height: 2, width: 2, data_format: 'channels_last' });
    expect(roundTrip<CenterCrop>(c).height).toBe(2);
    expect(c.computeOutputShape([null, 5, 5, 3])).toEqual([null, 2, 2, 3]);
    expect(() => c.apply(tensor([1, 2]))).toThrow(/CenterCrop "cc".*\(2,\)/);
    expect(() => new CenterCrop(0, 2)).toThrow(/height/);
    const x = randomTensor([1, 4, 3, 2]);
    expect(await tensorLeak(() => c.apply(x).dispose())).toBe(0);
    expect(gradientError((t) => projectedSum(c.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    x.dispose();
  });

  it('supports channels_first', () => {
    tidy(() => {
      const x = tensor(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
      expectAllClose(new CenterCrop(2, 2, { dataFormat: 'channels_first' }).apply(x), [[[[5, 6], [9, 10]]]]);
    });
  });
});

function ops3(x: Tensor): Tensor {
  return ops.reshape(x, x.shape.slice(1));
}

describe('Resizing', () => {
  it('bilinear matches a float64 half-pixel reference (up and down)', () => {
    const shape = [2, 5, 4, 3];
    const data = pseudoRandom(2 * 5 * 4 * 3, 11);
    tidy(() => {
      const x = tensor(data, shape);
      for (const [oh, ow] of [
        [7, 9],
        [3, 2],
        [5, 6],
      ] as const) {
        const y = new Resizing(oh, ow).apply(x);
        expect(y.shape).toEqual([2, oh, ow, 3]);
        expectAllClose(y, bilinearRef(data, shape, oh, ow), { atol: 1e-5, shape: [2, oh, ow, 3] });
      }
    });
  });

  it('nearest uses floor((i + 0.5) * in / out); crop_to_aspect_ratio crops the centre first', () => {
    tidy(() => {
      const x = tensor([0, 1, 2, 3], [1, 1, 4, 1]);
      expectAllClose(new Resizing(1, 3, { interpolation: 'nearest' }).apply(x), [[[[0], [2], [3]]]]);
      expectAllClose(new Resizing(1, 8, { interpolation: 'nearest' }).apply(x), [[[[0], [0], [1], [1], [2], [2], [3], [3]]]]);
      // 2x4 -> 2x2 with crop: central 2x2 window (columns 1..2), identity resize.
      const y = new Resizing(2, 2, { cropToAspectRatio: true }).apply(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4, 1]));
      expectAllClose(y, [[[2], [3]], [[6], [7]]]);
    });
  });

  it('config with Keras keys, output shape, errors, gradient, no leaks', async () => {
    const r = new Resizing(3, 4, { name: 'rz', interpolation: 'nearest', cropToAspectRatio: true });
    expect(r.getConfig()).toMatchObject({
      height: 3,
      width: 4,
      interpolation: 'nearest',
      crop_to_aspect_ratio: true,
      pad_to_aspect_ratio: false,
      fill_mode: 'constant',
      fill_value: 0,
      antialias: false,
      data_format: 'channels_last',
    });
    const back = roundTrip<Resizing>(r);
    expect([back.height, back.width, back.interpolation, back.cropToAspectRatio]).toEqual([3, 4, 'nearest', true]);
    expect(r.computeOutputShape([null, 10, 10, 3])).toEqual([null, 3, 4, 3]);
    expect(() => new Resizing(2, 2, { interpolation: 'gaussian' as never })).toThrow(/interpolation/);
    expect(() => r.apply(tensor([[1]]))).toThrow(/Resizing "rz".*\(1, 1\)/);
    const b = new Resizing(3, 5);
    const x = randomTensor([1, 2, 3, 2]);
    tidy(() => {
      expect(b.apply(x).shape).toEqual(b.computeOutputShape([1, 2, 3, 2]));
    });
    expect(await tensorLeak(() => b.apply(x).dispose())).toBe(0);
    expect(gradientError((t) => projectedSum(b.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    x.dispose();
  });
});
