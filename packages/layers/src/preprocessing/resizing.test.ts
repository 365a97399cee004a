import { type Config, KerasTensor, deserializeKerasObject, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { projectedSum, pseudoRandom, randomTensor } from '../testing/layer-checks';
import { resizeWeights } from './resize-kernels';
import { Resizing } from './resizing';

type Method = 'bilinear' | 'nearest' | 'bicubic' | 'lanczos3' | 'lanczos5' | 'area';

// ---------------------------------------------------------------------------------------------
// float64 reference, written from the kernel formulas per output pixel (2-D sums, no weight matrices).

const sinc = (t: number) => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
/** Kernel value at distance d (>= 0) and its support radius. */
const KERNEL: Record<'bilinear' | 'bicubic' | 'lanczos3' | 'lanczos5', [number, (d: number) => number]> = {
  bilinear: [1, (d) => (d < 1 ? 1 - d : 0)],
  // Keys (1981) cubic convolution with a = -0.5 in its textbook form.
  bicubic: [
    2,
    (d) => {
      const a = -0.5;
      if (d <= 1) return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1;
      if (d < 2) return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a;
      return 0;
    },
  ],
  lanczos3: [3, (d) => (d < 3 ? sinc(d) * sinc(d / 3) : 0)],
  lanczos5: [5, (d) => (d < 5 ? sinc(d) * sinc(d / 5) : 0)],
};

/** Reference resize of one (H, W) plane to (oh, ow). */
function refPlane(img: number[][], oh: number, ow: number, method: Method, antialias: boolean): number[][] {
  const h = img.length;
  const w = img[0]!.length;
  const out: number[][] = [];
  for (let i = 0; i < oh; i++) {
    const row: number[] = [];
    for (let j = 0; j < ow; j++) {
      if (method === 'nearest') {
        const p = Math.min(Math.floor(((i + 0.5) * h) / oh), h - 1);
        const q = Math.min(Math.floor(((j + 0.5) * w) / ow), w - 1);
        row.push(img[p]![q]!);
        continue;
      }
      if (method === 'area') {
        // Mean of the input over the output pixel's box, each input pixel weighted by its overlap area.
        const [y0, y1, x0, x1] = [(i * h) / oh, ((i + 1) * h) / oh, (j * w) / ow, ((j + 1) * w) / ow];
        let s = 0;
        for (let p = 0; p < h; p++)
          for (let q = 0; q < w; q++) {
            const oy = Math.max(0, Math.min(p + 1, y1) - Math.max(p, y0));
            const ox = Math.max(0, Math.min(q + 1, x1) - Math.max(q, x0));
            s += oy * ox * img[p]![q]!;
          }
        row.push(s / ((y1 - y0) * (x1 - x0)));
        continue;
      }
      const k = KERNEL[method][1];
      // Identity axes are not resampled (exactly what an interpolating kernel gives anyway).
      const sh = h === oh ? 1 : antialias ? Math.max(h / oh, 1) : 1;
      const sw = w === ow ? 1 : antialias ? Math.max(w / ow, 1) : 1;
      const cy = ((i + 0.5) * h) / oh - 0.5;
      const cx = ((j + 0.5) * w) / ow - 0.5;
      let num = 0;
      let den = 0;
      for (let p = 0; p < h; p++)
        for (let q = 0; q < w; q++) {
          const wt = k(Math.abs(cy - p) / sh) * k(Math.abs(cx - q) / sw);
          num += wt * img[p]![q]!;
          den += wt;
        }
      row.push(num / den);
    }
    out.push(row);
  }
  return out;
}

/** Reference on flat channels_last (N, H, W, C) data. */
function ref(x: number[], [n, h, w, c]: number[], oh: number, ow: number, method: Method, antialias = false): number[] {
  const out = new Array<number>(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++) {
      const plane = Array.from({ length: h }, (_, p) => Array.from({ length: w }, (_, q) => x[((b * h + p) * w + q) * c + k]!));
      const r = refPlane(plane, oh, ow, method, antialias);
      for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) out[((b * oh + i) * ow + j) * c + k] = r[i]![j]!;
    }
  return out;
}

/** Pads (N, H, W, C) data with `top` rows / `left` columns on both sides, filled with `v`. */
function padRef(x: number[], [n, h, w, c]: number[], top: number, left: number, v: number): [number[], number[]] {
  const [ph, pw] = [h + 2 * top, w + 2 * left];
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let p = 0; p < ph; p++)
      for (let q = 0; q < pw; q++)
        for (let k = 0; k < c; k++) {
          const [y, xx] = [p - top, q - left];
          out.push(y >= 0 && y < h && xx >= 0 && xx < w ? x[((b * h + y) * w + xx) * c + k]! : v);
        }
  return [out, [n, ph, pw, c]];
}

/** Crops (N, H, W, C) data to rows [y0, y0 + ch) and columns [x0, x0 + cw). */
function cropRef(x: number[], [n, h, w, c]: number[], y0: number, x0: number, ch: number, cw: number): [number[], number[]] {
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let p = 0; p < ch; p++) for (let q = 0; q < cw; q++) for (let k = 0; k < c; k++) out.push(x[((b * h + p + y0) * w + q + x0) * c + k]!);
  return [out, [n, ch, cw, c]];
}

const roundTrip = (layer: Resizing): Resizing => Resizing.fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config) as Resizing;
const METHODS: Method[] = ['bilinear', 'nearest', 'bicubic', 'lanczos3', 'lanczos5', 'area'];

describe('Resizing: every interpolation against a float64 reference', () => {
  const shape = [2, 7, 9, 2];
  const data = pseudoRandom(2 * 7 * 9 * 2, 5);
  // Downscale by non-integer factors, upscale, mixed, and one axis unchanged.
  const sizes: [number, number][] = [
    [3, 4],
    [5, 2],
    [11, 13],
    [4, 12],
    [7, 5],
  ];

  for (const method of METHODS) {
    for (const antialias of [false, true]) {
      it(`${method}, antialias=${antialias}`, () => {
        tidy(() => {
          const x = tensor(data, shape);
          for (const [oh, ow] of sizes) {
            const y = new Resizing(oh, ow, { interpolation: method, antialias }).apply(x);
            expect(y.shape).toEqual([2, oh, ow, 2]);
            expectAllClose(y, ref(data, shape, oh, ow, method, antialias), { atol: 2e-5 });
          }
        });
      });
    }
  }

  it('hand-computed: antialiased bilinear 4 -> 2 is the tent of width 2, (3, 3, 1, 0) / 7', () => {
    tidy(() => {
      const x = tensor([0, 1, 2, 3], [1, 4, 1]);
      // Sample points 0.5 and 2.5, tent 1 - |d| / 2 at d = 0.5, 0.5, 1.5 (and 2.5: 0).
      expectAllClose(new Resizing(1, 2, { antialias: true }).apply(x), [[[5 / 7], [16 / 7]]], { atol: 1e-6 });
      // Without antialiasing only the two neighbours count: (0 + 1) / 2 and (2 + 3) / 2.
      expectAllClose(new Resizing(1, 2).apply(x), [[[0.5], [2.5]]], { atol: 1e-6 });
      // Area: means of the pairs as well; nearest: floor((i + 0.5) * 2) = 1, 3.
      expectAllClose(new Resizing(1, 2, { interpolation: 'area' }).apply(x), [[[0.5], [2.5]]], { atol: 1e-6 });
      expectAllClose(new Resizing(1, 2, { interpolation: 'nearest' }).apply(x), [[[1], [3]]]);
    });
  });

  it('antialias changes downscaling only: upscale and the nearest/area methods are unaffected', () => {
    tidy(() => {
      const x = tensor(data, shape);
      for (const method of METHODS) {
        const up = (aa: boolean) => Array.from(new Resizing(10, 12, { interpolation: method, antialias: aa }).apply(x).dataSync());
        expect(up(true)).toEqual(up(false));
      }
      for (const method of ['nearest', 'area'] as const) {
        const down = (aa: boolean) => Array.from(new Resizing(3, 4, { interpolation: method, antialias: aa }).apply(x).dataSync());
        expect(down(true)).toEqual(down(false));
      }
      const down = (aa: boolean) => new Resizing(3, 4, { interpolation: 'lanczos3', antialias: aa }).apply(x);
      expect(ops.max(ops.abs(ops.subtract(down(true), down(false)))).dataSync()[0]).toBeGreaterThan(1e-2);
    });
  });

  it('weight rows sum to 1 and nearest hits exact half-pixel ties as floor', () => {
    for (const method of METHODS)
      for (const [a, b] of [
        [7, 3],
        [3, 7],
        [10, 4],
      ])
        for (const aa of [false, true]) for (const row of resizeWeights(a!, b!, method, aa)) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    // 2 -> 3: output 1 samples (1.5) * 2 / 3 = 1 exactly, so input 1 (not 0).
    expect(resizeWeights(2, 3, 'nearest').map((r) => r.indexOf(1))).toEqual([0, 1, 1]);
    // 3 -> 2 nearest: floor(0.75) = 0, floor(2.25) = 2.
    expect(resizeWeights(3, 2, 'nearest').map((r) => r.indexOf(1))).toEqual([0, 2]);
  });
});

describe('Resizing: aspect ratio, layouts, dtypes', () => {
  it('pad_to_aspect_ratio pads the short side evenly with fill_value (Keras split), then resizes', () => {
    // (2, 5) -> (2, 2): padded height int(5 * 2 / 2) = 5, int((5 - 2) / 2) = 1 row on each side -> (4, 5).
    const shape = [1, 2, 5, 2];
    const data = pseudoRandom(20, 3);
    tidy(() => {
      const x = tensor(data, shape);
      for (const method of ['bilinear', 'bicubic', 'nearest', 'area'] as const) {
        const y = new Resizing(2, 2, { interpolation: method, padToAspectRatio: true, fillValue: 0.25 }).apply(x);
        const [p, ps] = padRef(data, shape, 1, 0, 0.25);
        expectAllClose(y, ref(p, ps, 2, 2, method), { atol: 2e-5 });
      }
      // (5, 2) -> (3, 6): padded width int(5 * 6 / 3) = 10, 4 columns each side -> (5, 10), antialiased.
      const tall = tensor(data, [1, 5, 2, 2]);
      const y = new Resizing(3, 6, { padToAspectRatio: true, fillValue: -1, antialias: true }).apply(tall);
      const [p, ps] = padRef(data, [1, 5, 2, 2], 0, 4, -1);
      expectAllClose(y, ref(p, ps, 3, 6, 'bilinear', true), { atol: 2e-5 });
    });
  });

  it('pad_to_aspect_ratio: identity when the ratio already matches; an odd difference of 1 pads nothing', () => {
    tidy(() => {
      // (2, 4) -> (4, 4): one row of 9 above and below, then an identity resize.
      const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4, 1]);
      const y = new Resizing(4, 4, { padToAspectRatio: true, fillValue: 9, interpolation: 'nearest' }).apply(x);
      expectAllClose(y, [9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9], { shape: [4, 4, 1] });
      // (3, 4) -> (4, 4): padded height 4, int((4 - 3) / 2) = 0 rows: a plain 3 -> 4 stretch.
      const d = pseudoRandom(12, 8);
      const z = new Resizing(4, 4, { padToAspectRatio: true, fillValue: 9 }).apply(tensor(d, [3, 4, 1]));
      expectAllClose(z, ref(d, [1, 3, 4, 1], 4, 4, 'bilinear'), { atol: 1e-5, shape: [4, 4, 1] });
    });
  });

  it('crop_to_aspect_ratio crops the central window on non-square images', () => {
    const shape = [2, 4, 7, 1];
    const data = pseudoRandom(56, 4);
    tidy(() => {
      const x = tensor(data, shape);
      // (4, 7) -> (3, 3): crop int(7 * 3 / 3) -> min(4, 7) = 4 rows, min(7, 4) = 4 columns from column 1.
      for (const method of ['lanczos5', 'area', 'bilinear'] as const) {
        const [c, cs] = cropRef(data, shape, 0, 1, 4, 4);
        const y = new Resizing(3, 3, { interpolation: method, cropToAspectRatio: true, antialias: true }).apply(x);
        expectAllClose(y, ref(c, cs, 3, 3, method, true), { atol: 2e-5 });
      }
      // (4, 7) -> (2, 1): rows min(4, int(7 * 2)) = 4, columns int(4 / 2) = 2 from column int(5 / 2) = 2.
      const [c, cs] = cropRef(data, shape, 0, 2, 4, 2);
      expectAllClose(new Resizing(2, 1, { cropToAspectRatio: true, interpolation: 'bicubic' }).apply(x), ref(c, cs, 2, 1, 'bicubic'), { atol: 2e-5 });
    });
  });

  it('channels_first, rank 3 and rank 4, equals the channels_last result transposed', () => {
    const data = pseudoRandom(2 * 6 * 5 * 3, 9);
    tidy(() => {
      const x = tensor(data, [2, 6, 5, 3]);
      const want = ref(data, [2, 6, 5, 3], 4, 7, 'lanczos3', true);
      const cf = new Resizing(4, 7, { interpolation: 'lanczos3', antialias: true, dataFormat: 'channels_first' });
      const y4 = cf.apply(ops.transpose(x, [0, 3, 1, 2]));
      expect(y4.shape).toEqual([2, 3, 4, 7]);
      expectAllClose(ops.transpose(y4, [0, 2, 3, 1]), want, { atol: 2e-5 });
      const y3 = cf.apply(ops.transpose(ops.reshape(ops.slice(x, [1, 0, 0, 0], [1, 6, 5, 3]), [6, 5, 3]), [2, 0, 1]));
      expect(y3.shape).toEqual([3, 4, 7]);
      expectAllClose(ops.transpose(y3, [1, 2, 0]), want.slice(4 * 7 * 3), { atol: 2e-5 });
      // channels_first padding goes on the spatial axes too: (3, 6, 5) -> (6, 10) pads 2 columns each side.
      const p = new Resizing(6, 10, { dataFormat: 'channels_first', padToAspectRatio: true, fillValue: 7, interpolation: 'nearest' });
      const [pd, ps] = padRef(data.slice(0, 90), [1, 6, 5, 3], 0, 2, 7);
      expectAllClose(ops.transpose(p.apply(ops.transpose(ops.slice(x, [0, 0, 0, 0], [1, 6, 5, 3]), [0, 3, 1, 2])), [0, 2, 3, 1]), ref(pd, ps, 6, 10, 'nearest'));
      expect(cf.computeOutputShape([null, 3, 10, 10])).toEqual([null, 3, 4, 7]);
      expect(cf.computeOutputShape([3, 10, 10])).toEqual([3, 4, 7]);
    });
  });

  it('integer images come back as int32, rounded half to even (Keras round + saturate_cast)', () => {
    tidy(() => {
      const x = tensor([0, 1, 2, 3], [1, 4, 1], 'int32');
      // bilinear samples 0.5 and 2.5 -> round half to even: 0, 2.
      const y = new Resizing(1, 2).apply(x);
      expect(y.dtype).toBe('int32');
      expect(Array.from(y.dataSync())).toEqual([0, 2]);
      const z = new Resizing(1, 2, { antialias: true }).apply(x);
      expect(Array.from(z.dataSync())).toEqual([Math.round(5 / 7), Math.round(16 / 7)]);
      const img = tensor(
        pseudoRandom(30, 2, 0, 255).map((v) => Math.floor(v)),
        [5, 6, 1],
        'int32',
      );
      const want = ref(Array.from(img.dataSync()), [1, 5, 6, 1], 3, 4, 'bicubic', true);
      expect(Array.from(new Resizing(3, 4, { interpolation: 'bicubic', antialias: true }).apply(img).dataSync())).toEqual(want.map((v) => Math.round(v)));
      // 'nearest' copies integer pixels exactly (above float32's 2^24 too), padding with the integer fill.
      const big = tensor([16777217, -16777219, 5, 7], [1, 4, 1], 'int32');
      const nb = new Resizing(2, 2, { interpolation: 'nearest', padToAspectRatio: true, fillValue: 3 }).apply(big);
      expect(nb.dtype).toBe('int32');
      // (1, 4) -> (2, 2): padded height int(4 * 2 / 2) = 4, 1 row of 3 on each side -> (3, 4); rows floor(0.75) = 0, floor(2.25) = 2.
      expect(Array.from(nb.dataSync())).toEqual([3, 3, 3, 3]);
      const nb2 = new Resizing(1, 2, { interpolation: 'nearest' }).apply(big);
      expect(Array.from(nb2.dataSync())).toEqual([-16777219, 7]);
      // A non-integer fill on an integer image goes through float32 and is rounded half to even.
      const nf = new Resizing(3, 4, { interpolation: 'nearest', padToAspectRatio: true, fillValue: 2.5 }).apply(tensor([1, 2, 3, 4], [1, 4, 1], 'int32'));
      expect(Array.from(nf.dataSync())).toEqual([2, 2, 2, 2, 1, 2, 3, 4, 2, 2, 2, 2]);
      // Float infinities stay put under 'nearest' and do not spill into their neighbours.
      const inf = new Resizing(1, 6, { interpolation: 'nearest' }).apply(tensor([Number.POSITIVE_INFINITY, 1, 2], [1, 3, 1]));
      expect(Array.from(inf.dataSync())).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1, 1, 2, 2]);
      expect(new Resizing(3, 4).apply(new KerasTensor([null, 5, 6, 1], 'int32')).dtype).toBe('int32');
      expect(new Resizing(3, 4).apply(new KerasTensor([null, 5, 6, 1], 'float32')).dtype).toBe('float32');
    });
  });
});

describe('Resizing: gradients, config, errors, leaks', () => {
  it('gradients match finite differences for each interpolation', () => {
    const x = randomTensor([1, 5, 4, 2], 6);
    for (const [method, opts] of [
      ['bilinear', { antialias: true }],
      ['bicubic', { padToAspectRatio: true, fillValue: 0.5 }],
      ['lanczos3', { antialias: true }],
      ['lanczos5', { cropToAspectRatio: true }],
      ['area', {}],
      ['nearest', {}],
    ] as const) {
      const layer = new Resizing(3, 6, { interpolation: method, ...opts });
      expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    }
    x.dispose();
  });

  it('config round trip with Keras keys and defaults; registered as keras.layers.Resizing', () => {
    const def = new Resizing(8, 9);
    expect(def.getConfig()).toMatchObject({
      height: 8,
      width: 9,
      interpolation: 'bilinear',
      crop_to_aspect_ratio: false,
      pad_to_aspect_ratio: false,
      fill_mode: 'constant',
      fill_value: 0,
      antialias: false,
      data_format: 'channels_last',
    });
    const r = new Resizing(3, 4, { name: 'rz', interpolation: 'lanczos5', padToAspectRatio: true, fillValue: 2.5, antialias: true, dataFormat: 'channels_first' });
    const back = roundTrip(r);
    expect(back.getConfig()).toEqual(r.getConfig());
    expect([back.interpolation, back.padToAspectRatio, back.fillValue, back.antialias, back.dataFormat]).toEqual(['lanczos5', true, 2.5, true, 'channels_first']);
    // Keras' positional order: height, width, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode, fill_value, antialias.
    const pos = new Resizing(2, 3, 'area', false, true, 'constant', 4, true);
    expect([pos.interpolation, pos.padToAspectRatio, pos.fillValue, pos.antialias]).toEqual(['area', true, 4, true]);
    const d = deserializeKerasObject<Resizing>('layer', { module: 'keras.layers', class_name: 'Resizing', config: r.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(Resizing);
    expect(d.getConfig()).toEqual(r.getConfig());
  });

  it('bad arguments and inputs throw errors naming the layer, argument and shape', () => {
    expect(() => new Resizing(2, 2, { interpolation: 'gaussian' as never })).toThrow(/Resizing.*interpolation.*'area'.*gaussian/);
    expect(() => new Resizing(2, 2, { interpolation: 'BILINEAR' as never })).toThrow(/Resizing.*interpolation=BILINEAR/);
    expect(() => new Resizing(2, 2, { cropToAspectRatio: true, padToAspectRatio: true })).toThrow(/Resizing.*pad_to_aspect_ratio.*crop_to_aspect_ratio/);
    expect(() => new Resizing(2, 2, { fillMode: 'reflect' as never })).toThrow(/Resizing.*fill_mode=reflect/);
    expect(() => new Resizing(2, 2, { fillValue: Number.NaN })).toThrow(/Resizing.*fill_value/);
    expect(() => new Resizing(0, 2)).toThrow(/Resizing.*height/);
    expect(() => new Resizing(2, 1.5)).toThrow(/Resizing.*width/);
    const r = new Resizing(2, 2, { name: 'rs' });
    expect(() => r.apply(tensor([1, 2, 3, 4], [2, 2]))).toThrow(/Resizing "rs".*\(2, 2\)/);
    expect(() => r.apply(tensor(new Array(16).fill(0), [1, 2, 2, 2, 2]))).toThrow(/Resizing "rs".*\(1, 2, 2, 2, 2\)/);
    expect(() => r.computeOutputShape([null, 4])).toThrow(/Resizing "rs".*\(None, 4\)/);
  });

  it('leaks no tensors (every option path)', async () => {
    const x = randomTensor([2, 5, 7, 3], 2);
    const xi = tensor(new Array(2 * 5 * 7 * 3).fill(3), [2, 5, 7, 3], 'int32');
    const layers = [
      new Resizing(3, 3, { antialias: true, interpolation: 'lanczos3' }),
      new Resizing(4, 4, { padToAspectRatio: true, fillValue: 1 }),
      new Resizing(4, 4, { cropToAspectRatio: true, interpolation: 'area' }),
      new Resizing(5, 7, { interpolation: 'nearest' }),
    ];
    for (const l of layers) {
      expect(await tensorLeak(() => l.apply(x).dispose())).toBe(0);
      expect(await tensorLeak(() => l.apply(xi).dispose())).toBe(0);
    }
    x.dispose();
    xi.dispose();
  });
});
