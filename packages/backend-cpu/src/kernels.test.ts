import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, MaxPooling2D } from '@strata/layers';
import { type Tensor, memory, ops, setBackend, tidy, variableGrads } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastKernels, gemmNT, isFastKernelActive, replacedKernels, useFastKernels, useStockKernels } from './index';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

beforeAll(async () => {
  await setBackend('cpu');
});

/** Runs `f` once with the stock tfjs-backend-cpu kernels and once with ours; returns both values. */
function stockAndFast(f: () => tf.Tensor | tf.Tensor[]): { stock: Float32Array[]; fast: Float32Array[]; shapes: number[][] } {
  const run = () =>
    tidy(() => {
      const r = f();
      const list = Array.isArray(r) ? r : [r];
      return { data: list.map((t) => t.dataSync() as Float32Array), shapes: list.map((t) => t.shape) };
    });
  useStockKernels();
  let stock: ReturnType<typeof run>;
  try {
    stock = run();
  } finally {
    useFastKernels();
  }
  const fast = run();
  expect(fast.shapes).toEqual(stock.shapes);
  return { stock: stock.data, fast: fast.data, shapes: fast.shapes };
}

/** Equal within 1e-5 relative (plus an absolute floor scaled to the values, for sums that cancel). */
function expectSame(actual: Float32Array, expected: Float32Array): void {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  expectAllClose(actual, expected, { rtol: 1e-5, atol: 1e-6 * Math.max(1, scale) });
}

/** Deterministic values in [-1, 1) (mulberry32), so failures reproduce. */
function seeded(shape: number[], seed: number): tf.Tensor {
  let a = seed >>> 0;
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return tf.tensor(v, shape);
}

/** Float64 NHWC conv2d, written from the definition (independent of both kernels). */
function referenceConv2d(
  x: Float32Array,
  [b, h, w, ci]: number[],
  f: Float32Array,
  [kh, kw, , co]: number[],
  [sh, sw]: number[],
  [dh, dw]: number[],
  [top, left]: number[],
  [ho, wo]: number[],
): Float64Array {
  const out = new Float64Array(b * ho * wo * co);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++) {
              const y = i * sh + p * dh - top;
              const z = j * sw + q * dw - left;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (let c = 0; c < ci; c++) s += x[((n * h + y) * w + z) * ci + c]! * f[((p * kw + q) * ci + c) * co + o]!;
            }
          out[((n * ho + i) * wo + j) * co + o] = s;
        }
  return out;
}

const convCases: { x: number[]; f: number[]; s: [number, number]; d: [number, number]; pad: Pad }[] = [
  { x: [2, 8, 8, 1], f: [3, 3, 1, 16], s: [1, 1], d: [1, 1], pad: 'same' },
  { x: [3, 7, 9, 5], f: [3, 3, 5, 7], s: [1, 1], d: [1, 1], pad: 'valid' },
  { x: [2, 9, 8, 3], f: [3, 2, 3, 5], s: [2, 2], d: [1, 1], pad: 'same' },
  { x: [2, 10, 11, 4], f: [3, 3, 4, 6], s: [2, 3], d: [1, 1], pad: 'valid' },
  { x: [1, 12, 10, 2], f: [3, 3, 2, 3], s: [1, 1], d: [2, 3], pad: 'same' },
  { x: [2, 11, 9, 3], f: [2, 3, 3, 4], s: [1, 1], d: [3, 2], pad: 'valid' },
  { x: [2, 7, 8, 3], f: [3, 3, 3, 5], s: [2, 1], d: [1, 1], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [4, 5, 5, 6], f: [1, 1, 6, 9], s: [1, 1], d: [1, 1], pad: 'valid' },
  { x: [2, 6, 6, 6], f: [1, 1, 6, 3], s: [2, 2], d: [1, 1], pad: 'same' },
  { x: [1, 4, 4, 2], f: [5, 5, 2, 3], s: [1, 1], d: [1, 1], pad: 'same' },
  { x: [5, 3, 3, 33], f: [3, 3, 33, 1], s: [1, 1], d: [1, 1], pad: 'valid' },
];

const describeCase = (c: (typeof convCases)[number]) =>
  `x [${c.x}] filter [${c.f}] strides [${c.s}] dilations [${c.d}] pad ${JSON.stringify(c.pad)}`;

describe('@strata/backend-cpu registration', () => {
  it('replaces the stock cpu kernels on import and can switch back and forth', () => {
    expect(replacedKernels).toEqual(['Conv2D', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Transpose', 'Sum', 'BatchMatMul']);
    expect(fastKernels.every((k) => k.backendName === 'cpu')).toBe(true);
    for (const name of replacedKernels) expect(isFastKernelActive(name)).toBe(true);
    expect(useStockKernels().sort()).toEqual([...replacedKernels].sort());
    for (const name of replacedKernels) expect(isFastKernelActive(name)).toBe(false);
    useFastKernels();
    for (const name of replacedKernels) expect(isFastKernelActive(name)).toBe(true);
  });

  it('shares the one tfjs-core engine with @strata/core', () => {
    expect(tf.engine()).toBe((globalThis as unknown as { _tfengine: unknown })._tfengine);
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('gemmNT', () => {
  it('multiplies A [M,K] by Bt [N,K] transposed for odd and even sizes', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 7],
      [4, 9, 8],
      [5, 2, 3],
    ] as const) {
      const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i + 1));
      const bt = Float32Array.from({ length: n * k }, (_, i) => Math.cos(i * 0.7));
      const c = new Float32Array(m * n + 3).fill(42);
      gemmNT(a, 0, bt, c, 3, m, k, n);
      expect(Array.from(c.subarray(0, 3))).toEqual([42, 42, 42]);
      const want = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) want[i * n + j] += a[i * k + q]! * bt[j * k + q]!;
      expectAllClose(c.subarray(3), want, { rtol: 1e-6, atol: 1e-6 });
    }
  });
});

describe('Conv2D', () => {
  for (const c of convCases) {
    it(`equals the stock kernel and a float64 reference: ${describeCase(c)}`, () => {
      const x = seeded(c.x, 1);
      const f = seeded(c.f, 2);
      const { stock, fast, shapes } = stockAndFast(() => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d));
      expectSame(fast[0]!, stock[0]!);
      const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.s, c.d, c.pad, undefined, false, 'channelsLast');
      const ref = referenceConv2d(
        x.dataSync() as Float32Array,
        c.x,
        f.dataSync() as Float32Array,
        c.f,
        c.s,
        c.d,
        [info.padInfo.top, info.padInfo.left],
        [info.outHeight, info.outWidth],
      );
      expect(shapes[0]).toEqual(info.outShape);
      expectAllClose(fast[0]!, ref, { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([x, f]);
    });
  }

  it('falls back to the stock kernel for NCHW and matches it', () => {
    const x = seeded([2, 3, 6, 5], 3);
    const f = seeded([3, 3, 3, 4], 4);
    const { stock, fast } = stockAndFast(() => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NCHW'));
    expectSame(fast[0]!, stock[0]!);
    tf.dispose([x, f]);
  });
});

describe('Conv2DBackpropInput (conv2d input gradient, conv2dTranspose)', () => {
  for (const c of convCases) {
    it(`equals the stock kernel: ${describeCase(c)}`, () => {
      const x = seeded(c.x, 5);
      const f = seeded(c.f, 6);
      const { stock, fast } = stockAndFast(() => {
        // Gradients of x and of the filter through one conv2d (the filter's is core's forward-conv form).
        const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d);
        const dy = seeded(y.shape, 7);
        const [dx, df] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d), dy)),
        )([x, f]);
        return [dx!, df!];
      });
      expectSame(fast[0]!, stock[0]!);
      expectSame(fast[1]!, stock[1]!);
      tf.dispose([x, f]);
    });
  }

  it('matches the stock conv2dTranspose with same padding and stride 2', () => {
    const dy = seeded([2, 4, 5, 6], 8);
    const f = seeded([3, 3, 4, 6], 9);
    const { stock, fast } = stockAndFast(() => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, [2, 8, 10, 4], 2, 'same'));
    expectSame(fast[0]!, stock[0]!);
    tf.dispose([dy, f]);
  });
});

describe('MaxPoolGrad', () => {
  const cases: { x: number[]; k: [number, number]; s: [number, number]; pad: 'valid' | 'same' }[] = [
    { x: [2, 8, 8, 16], k: [2, 2], s: [2, 2], pad: 'valid' },
    { x: [2, 11, 11, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
    { x: [2, 7, 9, 4], k: [3, 3], s: [2, 2], pad: 'same' },
    { x: [1, 9, 7, 5], k: [3, 2], s: [1, 1], pad: 'valid' },
    { x: [3, 6, 5, 2], k: [2, 3], s: [1, 2], pad: 'same' },
    { x: [1, 5, 5, 3], k: [4, 4], s: [3, 3], pad: 'same' },
  ];
  for (const c of cases) {
    it(`equals the stock kernel: x [${c.x}] pool [${c.k}] strides [${c.s}] ${c.pad}`, () => {
      const x = seeded(c.x, 11);
      const { stock, fast } = stockAndFast(() => {
        const y = tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad);
        const dy = seeded(y.shape, 12);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad), dy)))(x);
      });
      expectSame(fast[0]!, stock[0]!);
      tf.dispose(x);
    });
  }

  it('passes no gradient from windows without a winner (all NaN or all -Infinity), like the stock kernel', () => {
    const x = tf.tensor4d([Number.NaN, Number.NaN, 1, 2, Number.NaN, Number.NaN, 3, Number.NaN, -Infinity, -Infinity, 5, 5, -Infinity, -Infinity, 5, 5], [1, 4, 4, 1]);
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const { stock, fast } = stockAndFast(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x));
    expect(Array.from(fast[0]!)).toEqual(Array.from(stock[0]!));
    expect(Array.from(fast[0]!)).toEqual([0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0]);
    tf.dispose([x, dy]);
  });

  it('sends each window gradient to its first maximum (ties, negatives) as hand-computed', () => {
    // One 2x2 window per quadrant of a 4x4 single-channel image.
    const x = tf.tensor4d([-5, -1, 2, 2, -3, -2, 2, 0, 7, 7, 1, 4, 7, 0, 9, -9], [1, 4, 4, 1]);
    const dy = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 10, 20, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 40, 0]);
    tf.dispose([x, dy, dx]);
  });
});

describe('Transpose', () => {
  const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[4, 5, 6, 7], [3, 1, 2, 0], 'float32'],
    [[4, 5, 6, 7], [1, 2, 0, 3], 'float32'],
    [[3, 4, 5], [0, 2, 1], 'int32'],
    [[2, 3, 1, 4], [2, 0, 3, 1], 'float32'],
    [[6, 7], [1, 0], 'bool'],
    [[2, 3, 4, 5, 2], [4, 0, 3, 1, 2], 'float32'],
    [[5, 6], [0, 1], 'float32'],
    [[1, 1, 3], [2, 1, 0], 'int32'],
  ];
  for (const [shape, perm, dtype] of cases) {
    it(`equals the stock kernel: [${shape}] perm [${perm}] ${dtype}`, () => {
      const x = tf.cast(tf.mul(seeded(shape, 13), 10), dtype);
      const { stock, fast } = stockAndFast(() => tf.transpose(x, perm));
      expect(Array.from(fast[0]!)).toEqual(Array.from(stock[0]!));
      tf.dispose(x);
    });
  }

  it('moves values where the permutation says (hand-checked)', () => {
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const y = tf.transpose(x, [2, 0, 1]);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.dataSync())).toEqual([1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12]);
    tf.dispose([x, y]);
  });
});

describe('Sum', () => {
  const cases: [number[], number | number[], boolean, 'float32' | 'int32'][] = [
    [[6, 5, 4, 3], [0, 1, 2], false, 'float32'],
    [[6, 5, 4, 3], [0, 1, 2], true, 'float32'],
    [[7, 9], 0, false, 'float32'],
    [[4, 3, 5], [1, 0], true, 'float32'],
    [[4, 3, 5], [-1], false, 'float32'],
    [[4, 3, 5], [0, 2], false, 'float32'],
    [[4, 3, 5], [0, 1, 2], false, 'float32'],
    [[6, 5, 4], [0, 1], false, 'int32'],
  ];
  for (const [shape, axis, keepDims, dtype] of cases) {
    it(`equals the stock kernel: [${shape}] axis ${JSON.stringify(axis)} keepDims ${keepDims} ${dtype}`, () => {
      const x = tf.cast(tf.mul(seeded(shape, 17), 100), dtype);
      const { stock, fast, shapes } = stockAndFast(() => tf.sum(x, axis, keepDims));
      expectSame(fast[0]!, stock[0]!);
      expect(shapes[0]!.length).toBe(keepDims ? shape.length : shape.length - (Array.isArray(axis) ? axis.length : 1));
      tf.dispose(x);
    });
  }

  it('sums the leading axes as hand-computed (a bias gradient)', () => {
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const y = tf.sum(x, [0, 1]);
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.dataSync())).toEqual([36, 42]);
    tf.dispose([x, y]);
  });
});

describe('BatchMatMul', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 13], [13, 5], false, false],
    [[13, 7], [13, 5], true, false],
    [[7, 13], [5, 13], false, true],
    [[13, 7], [5, 13], true, true],
    [[3, 4, 6], [3, 6, 5], false, false],
    [[3, 6, 4], [1, 5, 6], true, true],
    [[1, 4, 6], [3, 6, 5], false, false],
    [[2, 3, 4, 6], [2, 3, 6, 1], false, false],
    [[1, 1], [1, 9], false, false],
    [[33, 100], [100, 17], false, false],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`equals the stock kernel: [${as}] x [${bs}] transposeA ${ta} transposeB ${tb}`, () => {
      const a = seeded(as, 41);
      const b = seeded(bs, 42);
      const { stock, fast } = stockAndFast(() => tf.matMul(a, b, ta, tb));
      expectSame(fast[0]!, stock[0]!);
      tf.dispose([a, b]);
    });
  }

  it('multiplies as hand-computed and keeps int32 on the stock kernel', () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 0, -1, 2, 0.5, 1], [3, 2]);
    const y = tf.matMul(a, b);
    expect(Array.from(y.dataSync())).toEqual([0.5, 7, 2, 16]);
    const yi = tf.matMul(tf.cast(a, 'int32'), tf.tensor2d([1, 0, 2, 1, 0, 3], [3, 2], 'int32'));
    expect(yi.dtype).toBe('int32');
    expect(Array.from(yi.dataSync())).toEqual([5, 11, 14, 23]);
    tf.dispose([a, b, y, yi]);
  });
});

describe('through @strata/layers', () => {
  const layerCases = [
    { name: 'strides 2 valid', pool: {}, conv2: { strides: 2, padding: 'valid' as const } },
    { name: 'dilation 2 same, pool 3 stride 1 same', pool: { strides: 1, padding: 'same' as const }, conv2: { dilationRate: 2, padding: 'same' as const } },
  ];
  for (const lc of layerCases) it(`Conv2D + MaxPooling2D (${lc.name}): loss and variableGrads equal the stock kernels, with no leaks`, () => {
    const before = memory().numTensors;
    const conv1 = new Conv2D(8, 3, { padding: 'same', activation: 'relu' });
    const pool = new MaxPooling2D(lc.name.startsWith('dilation') ? 3 : 2, lc.pool);
    const conv2 = new Conv2D(6, 3, lc.conv2);
    expect(pool.strides).toEqual(lc.name.startsWith('dilation') ? [1, 1] : [2, 2]);
    const x = seeded([4, 12, 12, 3], 21) as unknown as Tensor;
    const loss = () => ops.sum(ops.square(conv2.apply(pool.apply(conv1.apply(x) as Tensor) as Tensor) as Tensor));
    tidy(() => {
      loss(); // builds the layers (creates their variables)
    });
    const vars = [...conv1.trainableWeights, ...conv2.trainableWeights];
    expect(vars).toHaveLength(4);
    const run = () =>
      tidy(() => {
        const { value, grads } = variableGrads(loss as never, vars);
        return [value, ...grads].map((t) => (t as unknown as tf.Tensor).dataSync() as Float32Array);
      });
    const afterBuild = memory().numTensors;
    useStockKernels();
    let stock: Float32Array[];
    try {
      stock = run();
    } finally {
      useFastKernels();
    }
    const fast = run();
    expect(fast).toHaveLength(5);
    for (let i = 0; i < fast.length; i++) expectSame(fast[i]!, stock[i]!);
    expect(memory().numTensors).toBe(afterBuild);
    tf.dispose(x as unknown as tf.Tensor);
    expect(memory().numTensors).toBeGreaterThanOrEqual(before);
  });

  it('leaks no tensors in any fast kernel', () => {
    const x = seeded([2, 6, 6, 3], 31);
    const f = seeded([3, 3, 3, 4], 32);
    const before = memory().numTensors;
    tidy(() => {
      tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), 2, 2, 'valid')))([x, f]);
      tf.transpose(x, [3, 2, 1, 0]);
    });
    expect(memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });
});
