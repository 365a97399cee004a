import { type Tensor, getBackend, listBackends, memory, setBackend, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { addedKernels, getThreadsCount, kernelsFor, nodeWasmDirectory, wasmDirectory } from './index';
import { runKernel } from './tfjs';

/** Deterministic values in [-1, 1) (an LCG: the same numbers on every backend). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return out;
}

const sizeOf = (shape: number[]) => shape.reduce((p, v) => p * v, 1);

/** Runs `fn` on cpu and on wasm (fresh inputs on each) and returns both results as plain arrays. */
async function onBoth(fn: () => Tensor): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const name of ['cpu', 'wasm']) {
    await setBackend(name);
    const before = memory().numTensors;
    const y = tidy(fn);
    out[name] = { data: Float32Array.from(y.dataSync()), shape: y.shape };
    y.dispose();
    expect(memory().numTensors, `tensors leaked on ${name}`).toBe(before);
  }
  expect(out.wasm!.shape).toEqual(out.cpu!.shape);
  return { cpu: out.cpu!.data, wasm: out.wasm!.data, shape: out.cpu!.shape };
}

async function expectSameOnBoth(fn: () => Tensor, atol = 1e-4): Promise<void> {
  const { cpu, wasm } = await onBoth(fn);
  expectAllClose(wasm, cpu, { atol, rtol: 1e-4 });
}

const rnd = (shape: number[], seed: number) => tensor(values(sizeOf(shape), seed), shape);

describe('@strata/backend-wasm registration', () => {
  afterAll(async () => setBackend('cpu'));

  it('registers wasm with the training kernels and finds the .wasm files in Node', async () => {
    expect(listBackends()).toContain('wasm');
    const names = kernelsFor('wasm');
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'Einsum', 'FusedBatchNorm']) {
      expect(names).toContain(k);
    }
    expect(addedKernels.length).toBeGreaterThan(0);
    expect(wasmDirectory).toMatch(/tfjs-backend-wasm[\\/]dist[\\/]$/);
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      expect(existsSync(`${wasmDirectory}${file}`), file).toBe(true);
    }
    await setBackend('wasm');
    expect(getBackend()).toBe('wasm');
    // Node 20 has wasm SIMD; tfjs turns threads off in Node (see README).
    expect(getThreadsCount()).toBe(1);
  });

  it('nodeWasmDirectory resolves the installed package from a module URL or a file path', () => {
    expect(nodeWasmDirectory(import.meta.url)).toBe(wasmDirectory);
    expect(nodeWasmDirectory(new URL(import.meta.url).pathname)).toBe(wasmDirectory);
  });
});

describe('wasm training kernels equal the cpu backend', () => {
  beforeAll(async () => setBackend('cpu'));
  afterAll(async () => setBackend('cpu'));

  const convCases: { name: string; x: number[]; k: number[]; strides: [number, number]; pad: 'same' | 'valid' | number }[] = [
    { name: 'valid stride 1', x: [2, 7, 6, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
    { name: 'same stride 2', x: [3, 8, 7, 2], k: [3, 2, 2, 5], strides: [2, 2], pad: 'same' },
    { name: 'valid stride (2,3) leaves trailing rows unused', x: [2, 9, 10, 3], k: [2, 3, 3, 2], strides: [2, 3], pad: 'valid' },
    { name: 'numeric pad 1', x: [1, 5, 5, 2], k: [3, 3, 2, 3], strides: [1, 1], pad: 1 },
  ];
  for (const c of convCases) {
    it(`Conv2DBackpropFilter: ${c.name}`, async () => {
      await expectSameOnBoth(() => {
        const x = rnd(c.x, 3);
        const probe = runKernel('Conv2D', { x, filter: rnd(c.k, 4) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] });
        const dy = rnd(probe.shape, 5);
        return runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.k });
      });
    });
  }

  it('Conv2DBackpropFilter: NCHW tensors', async () => {
    await expectSameOnBoth(() => {
      const x = rnd([2, 3, 7, 6], 13);
      const dy = rnd([2, 4, 4, 3], 14);
      return runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] });
    });
  });

  const dwCases: {
    name: string;
    x: number[];
    k: number[];
    strides: [number, number];
    dilations: [number, number];
    pad: 'same' | 'valid';
  }[] = [
    { name: 'valid, multiplier 1', x: [2, 6, 7, 3], k: [3, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
    { name: 'same, multiplier 2', x: [2, 6, 5, 3], k: [3, 2, 3, 2], strides: [1, 1], dilations: [1, 1], pad: 'same' },
    { name: 'same, stride 2', x: [3, 7, 8, 2], k: [3, 3, 2, 3], strides: [2, 2], dilations: [1, 1], pad: 'same' },
    { name: 'valid, stride (2,3)', x: [2, 9, 10, 2], k: [2, 3, 2, 1], strides: [2, 3], dilations: [1, 1], pad: 'valid' },
  ];
  for (const c of dwCases) {
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, dataFormat: 'NHWC' };
    const outShape = () => tidy(() => runKernel('DepthwiseConv2dNative', { x: rnd(c.x, 1), filter: rnd(c.k, 2) }, attrs).shape);
    it(`DepthwiseConv2dNativeBackpropFilter: ${c.name}`, async () => {
      await expectSameOnBoth(() => {
        const dy = rnd(outShape(), 7);
        return runKernel('DepthwiseConv2dNativeBackpropFilter', { x: rnd(c.x, 6), dy }, { ...attrs, filterShape: c.k });
      });
    });
    it(`DepthwiseConv2dNativeBackpropInput: ${c.name}`, async () => {
      await expectSameOnBoth(() => {
        const dy = rnd(outShape(), 8);
        return runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: rnd(c.k, 9) }, { ...attrs, inputShape: c.x });
      });
    });
  }


  // tfjs' cpu depthwise backprop kernels ignore dilations (tfjs' gradient refuses them), so dilated
  // cases are checked against float64 loops written from the definition of the forward op.
  const dilated: { name: string; x: number[]; k: number[]; strides: [number, number]; dilations: [number, number]; pad: 'same' | 'valid' }[] = [
    { name: 'same, dilation 2', x: [2, 8, 8, 2], k: [3, 3, 2, 2], strides: [1, 1], dilations: [2, 2], pad: 'same' },
    { name: 'valid, dilation (2,1)', x: [1, 9, 7, 3], k: [3, 2, 3, 1], strides: [1, 1], dilations: [2, 1], pad: 'valid' },
  ];
  for (const c of dilated) {
    it(`depthwise backprop kernels with ${c.name} equal float64 loops`, async () => {
      await setBackend('wasm');
      const [B, H, W, C] = c.x as [number, number, number, number];
      const [KH, KW, , M] = c.k as [number, number, number, number];
      const [sh, sw] = c.strides;
      const [dh, dw] = c.dilations;
      const geo = (n: number, k: number, s: number, d: number) => {
        const eff = (k - 1) * d + 1;
        if (c.pad === 'valid') return { out: Math.ceil((n - eff + 1) / s), before: 0 };
        const out = Math.ceil(n / s);
        return { out, before: Math.floor(Math.max(0, (out - 1) * s + eff - n) / 2) };
      };
      const gh = geo(H, KH, sh, dh);
      const gw = geo(W, KW, sw, dw);
      const x = values(B * H * W * C, 41);
      const f = values(KH * KW * C * M, 42);
      const dy = values(B * gh.out * gw.out * C * M, 43);
      const dW = new Float64Array(KH * KW * C * M);
      const dX = new Float64Array(B * H * W * C);
      for (let b = 0; b < B; b++)
        for (let i = 0; i < gh.out; i++)
          for (let j = 0; j < gw.out; j++)
            for (let p = 0; p < KH; p++)
              for (let q = 0; q < KW; q++) {
                const h = i * sh + p * dh - gh.before;
                const w = j * sw + q * dw - gw.before;
                if (h < 0 || h >= H || w < 0 || w >= W) continue;
                for (let ch = 0; ch < C; ch++)
                  for (let m = 0; m < M; m++) {
                    const g = dy[((b * gh.out + i) * gw.out + j) * C * M + ch * M + m]!;
                    dW[((p * KW + q) * C + ch) * M + m]! += x[((b * H + h) * W + w) * C + ch]! * g;
                    dX[((b * H + h) * W + w) * C + ch]! += f[((p * KW + q) * C + ch) * M + m]! * g;
                  }
              }
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, dataFormat: 'NHWC' };
      const before = memory().numTensors;
      tidy(() => {
        const dyT = tensor(dy, [B, gh.out, gw.out, C * M]);
        const gotW = runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tensor(x, c.x), dy: dyT }, { ...attrs, filterShape: c.k });
        const gotX = runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyT, filter: tensor(f, c.k) }, { ...attrs, inputShape: c.x });
        expectAllClose(gotW, Array.from(dW), { atol: 1e-4 });
        expectAllClose(gotX, Array.from(dX), { atol: 1e-4 });
      });
      expect(memory().numTensors).toBe(before);
    });
  }

  // Inputs shifted below zero: stock tfjs-backend-wasm loses the gradient of windows whose maximum is
  // negative; the replacement kernels must route every window like cpu does.
  const poolCases: { kernel: string; x: number[]; attrs: Record<string, unknown> }[] = [
    { kernel: 'MaxPool', x: [2, 7, 6, 3], attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid' } },
    { kernel: 'MaxPool', x: [2, 7, 6, 3], attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'same' } },
    { kernel: 'MaxPool', x: [2, 5, 6, 2], attrs: { filterSize: [3, 3], strides: [1, 1], pad: 'same' } },
    { kernel: 'MaxPool', x: [1, 1, 9, 2], attrs: { filterSize: [1, 3], strides: [1, 2], pad: 'valid' } },
    { kernel: 'MaxPool3D', x: [1, 4, 4, 4, 2], attrs: { filterSize: [2, 2, 2], strides: [2, 2, 2], pad: 'valid', dataFormat: 'NDHWC' } },
    { kernel: 'MaxPool3D', x: [2, 5, 4, 3, 3], attrs: { filterSize: [3, 2, 2], strides: [1, 2, 1], pad: 'same', dataFormat: 'NDHWC' } },
  ];
  for (const c of poolCases) {
    for (const shift of [0, -2]) {
      it(`${c.kernel}Grad ${JSON.stringify(c.attrs.filterSize)} ${c.attrs.pad} strides ${JSON.stringify(c.attrs.strides)}, values shifted by ${shift}`, async () => {
        await expectSameOnBoth(() => {
          const x = tensor(Array.from(values(sizeOf(c.x), 61), (v) => v + shift), c.x);
          const y = runKernel(c.kernel, { x }, c.attrs);
          const dy = rnd(y.shape, 62);
          return runKernel(`${c.kernel}Grad`, { dy, input: x, output: y }, c.attrs);
        });
      });
    }
  }

  it('FusedBatchNorm (replaced: broadcast Mul and Add) equals a float64 reference, with and without offset and scale', async () => {
    expect(addedKernels).toContain('FusedBatchNorm');
    await setBackend('wasm');
    const [n, c] = [6, 3];
    const xs = Array.from({ length: n * c }, (_, i) => Math.sin(i * 1.7) * 3);
    const mean = [0.5, -1, 2];
    const variance = [0.25, 4, 1.5];
    const offset = [0.1, 0.2, -0.3];
    const scale = [2, -0.5, 1];
    const eps = 0.001;
    for (const withAffine of [true, false]) {
      const expected = xs.map((v, i) => {
        const k = i % c;
        const norm = (v - mean[k]!) / Math.sqrt(variance[k]! + eps);
        return withAffine ? norm * scale[k]! + offset[k]! : norm;
      });
      const before = memory().numTensors;
      const y = tidy(() =>
        runKernel(
          'FusedBatchNorm',
          {
            x: tensor(xs, [2, n / 2, c]),
            mean: tensor(mean),
            variance: tensor(variance),
            ...(withAffine ? { offset: tensor(offset), scale: tensor(scale) } : {}),
          },
          { varianceEpsilon: eps },
        ),
      );
      expectAllClose(y, expected, { atol: 1e-5 });
      y.dispose();
      expect(memory().numTensors).toBe(before);
    }
  });

  it('UnsortedSegmentSum adds rows sharing an id (hand-computed) and drops out-of-range ids', async () => {
    await setBackend('wasm');
    const y = tidy(() =>
      runKernel(
        'UnsortedSegmentSum',
        { x: tensor([1, 2, 10, 20, 100, 200, 1000, 2000, 5, 6], [5, 2]), segmentIds: tensor([2, 0, 2, -1, 3], [5], 'int32') },
        { numSegments: 4 },
      ),
    );
    // segment 0: row 1; segment 1: none; segment 2: rows 0 and 2; segment 3 would be row 4 (id 3); id -1 dropped.
    expect(Array.from(y.dataSync())).toEqual([10, 20, 0, 0, 101, 202, 5, 6]);
    y.dispose();
  });

  it('UnsortedSegmentSum matches cpu on a large embedding-style gradient', async () => {
    await expectSameOnBoth(() => {
      const ids = tensor(
        Array.from(values(300, 11), (v) => Math.floor((v + 1) * 20)),
        [300],
        'int32',
      );
      return runKernel('UnsortedSegmentSum', { x: rnd([300, 8], 12), segmentIds: ids }, { numSegments: 41 });
    });
  });

  it('UnsortedSegmentSum matches cpu for int32 data', async () => {
    await expectSameOnBoth(() =>
      runKernel('UnsortedSegmentSum', { x: tensor([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), segmentIds: tensor([1, 1, 0], [3], 'int32') }, { numSegments: 3 }),
    );
  });

  const einsumCases: { eq: string; shapes: number[][] }[] = [
    { eq: 'ab,bc->ac', shapes: [[3, 4], [4, 5]] },
    { eq: 'abc,cd->abd', shapes: [[2, 3, 4], [4, 5]] },
    { eq: 'abc,cde->abde', shapes: [[2, 3, 4], [4, 2, 3]] },
    { eq: 'abcd,cde->abe', shapes: [[2, 3, 4, 2], [4, 2, 5]] },
    { eq: 'bqhd,bkhd->bhqk', shapes: [[2, 3, 2, 4], [2, 5, 2, 4]] },
    { eq: 'bhqk,bkhd->bqhd', shapes: [[2, 2, 3, 5], [2, 5, 2, 4]] },
    { eq: 'ab->ba', shapes: [[3, 4]] },
    { eq: 'abc->b', shapes: [[2, 3, 4]] },
    { eq: 'a,b->ab', shapes: [[3], [4]] },
  ];
  for (const c of einsumCases) {
    it(`Einsum ${c.eq}`, async () => {
      await expectSameOnBoth(() =>
        runKernel('Einsum', c.shapes.map((s, i) => rnd(s, 20 + i)) as never, { equation: c.eq }),
      );
    });
  }

  it('Einsum with three operands equals two chained cpu einsums (cpu takes two at most)', async () => {
    const shapes = [[2, 3], [3, 4], [4, 2]];
    const make = () => shapes.map((s, i) => rnd(s, 50 + i));
    await setBackend('cpu');
    const want = tidy(() => {
      const [a, b, c] = make();
      const ab = runKernel('Einsum', [a, b] as never, { equation: 'ij,jk->ik' });
      return runKernel('Einsum', [ab, c] as never, { equation: 'ik,kl->il' });
    });
    const wantData = Array.from(want.dataSync());
    want.dispose();
    await setBackend('wasm');
    const got = tidy(() => runKernel('Einsum', make() as never, { equation: 'ij,jk,kl->il' }));
    expectAllClose(got, wantData, { atol: 1e-5 });
    got.dispose();
  });

  it('Einsum equals a float64 reference for a batched contraction', async () => {
    await setBackend('wasm');
    const a = values(2 * 3 * 4, 31);
    const b = values(4 * 5, 32);
    const y = tidy(() => runKernel('Einsum', [tensor(a, [2, 3, 4]), tensor(b, [4, 5])] as never, { equation: 'abc,cd->abd' }));
    const want: number[] = [];
    for (let i = 0; i < 6; i++) {
      for (let d = 0; d < 5; d++) {
        let s = 0;
        for (let c = 0; c < 4; c++) s += a[i * 4 + c]! * b[c * 5 + d]!;
        want.push(s);
      }
    }
    expectAllClose(y, want, { atol: 1e-5 });
    y.dispose();
  });

  it('Einsum rejects unsupported equations with a clear error', async () => {
    await setBackend('wasm');
    expect(() => runKernel('Einsum', [tensor([1, 2])] as never, { equation: '...a->a' })).toThrow(/ellipses/);
    expect(() => runKernel('Einsum', [tensor([[1, 2]])] as never, { equation: 'ab' })).toThrow(/'->'/);
  });
});
