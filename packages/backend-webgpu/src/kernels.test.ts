// The kernels this package corrects in tfjs-backend-webgpu 4.22, on the webgpu backend (Dawn in Node),
// against float64 references written here in plain numbers.
import { type Tensor, memory, setBackend, tidy } from '@strata/core';
import * as tfc from '@tensorflow/tfjs-core';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addedKernels, correctedKernels, webgpuAdapterInfo } from './index';

function lcg(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s >>> 8) / 2 ** 24) * 2 - 1;
  });
}

const size = (shape: number[]) => shape.reduce((p, v) => p * v, 1);

/** Row-major strides of `shape`. */
const strides = (shape: number[]) => shape.map((_, i) => size(shape.slice(i + 1)));

/** Reference: constant or reflect padding of a flat row-major array. */
function padRef(x: number[], shape: number[], pads: [number, number][], mode: 'constant' | 'reflect' | 'symmetric', value = 0): number[] {
  const out = shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const so = strides(out);
  const si = strides(shape);
  const res: number[] = [];
  for (let flat = 0; flat < size(out); flat++) {
    let src = 0;
    let inside = true;
    for (let ax = 0; ax < out.length; ax++) {
      let c = Math.floor(flat / so[ax]!) % out[ax]! - pads[ax]![0];
      const n = shape[ax]!;
      if (c < 0 || c >= n) {
        if (mode === 'constant') inside = false;
        else if (mode === 'reflect') c = c < 0 ? -c : 2 * (n - 1) - c;
        else c = c < 0 ? -c - 1 : 2 * n - 1 - c;
      }
      src += c * si[ax]!;
    }
    res.push(inside ? x[src]! : value);
  }
  return res;
}

/** Reference: reverse of a flat row-major array along `axes`. */
function reverseRef(x: number[], shape: number[], axes: number[]): number[] {
  const st = strides(shape);
  return x.map((_, flat) => {
    let src = 0;
    for (let ax = 0; ax < shape.length; ax++) {
      const c = Math.floor(flat / st[ax]!) % shape[ax]!;
      src += (axes.includes(ax) ? shape[ax]! - 1 - c : c) * st[ax]!;
    }
    return x[src]!;
  });
}

/** Runs `f` on webgpu and reads the result asynchronously (no synchronous GPU reads in Node). */
async function onGpu(f: () => Tensor): Promise<{ values: number[]; dtype: string; shape: number[] }> {
  const y = tidy(f);
  const out = { values: Array.from(await y.data()), dtype: y.dtype, shape: [...y.shape] };
  y.dispose();
  return out;
}

/** Forces data onto the GPU: tfjs runs small ops on the CPU while their inputs are still there. */
const onDevice = (t: Tensor): Tensor => tfc.add(t, tfc.zerosLike(t)) as unknown as Tensor;

describe('corrected webgpu kernels', () => {
  let before = 0;
  beforeAll(async () => {
    await setBackend('webgpu');
    before = memory().numTensors;
  }, 60_000);
  afterAll(async () => {
    // Every kernel below disposes its intermediates on the device.
    expect(memory().numTensors).toBe(before);
    await setBackend('cpu');
  });

  it('registers the corrections for webgpu and runs on a reported adapter', () => {
    expect([...addedKernels].sort()).toEqual(correctedKernels.map((k) => k.kernelName).sort());
    for (const name of ['Cast', 'PadV2', 'MirrorPad', 'Reverse', 'DenseBincount', 'Add', 'Prelu']) {
      expect(tfc.getKernel(name, 'webgpu')?.kernelFunc, name).toBe(correctedKernels.find((k) => k.kernelName === name)!.kernelFunc);
    }
    expect(webgpuAdapterInfo()).not.toBeNull();
  });

  it('Cast int32 -> float32 converts values held on the GPU (stock reinterprets the bits)', async () => {
    const n = 3000;
    const ints = Array.from({ length: n }, (_, i) => (i % 7) - 3);
    const got = await onGpu(() => tfc.cast(onDevice(tfc.tensor(ints, [n], 'int32') as unknown as Tensor) as never, 'float32') as unknown as Tensor);
    expect(got.dtype).toBe('float32');
    expect(got.values).toEqual(ints);
    // Downstream float kernels see the converted values (stock: a transpose read 1 as 1.4e-45).
    const t = await onGpu(
      () =>
        tfc.transpose(tfc.cast(onDevice(tfc.tensor(ints, [10, n / 30, 3], 'int32') as unknown as Tensor) as never, 'float32'), [0, 2, 1]) as unknown as Tensor,
    );
    const rows = n / 30;
    const want: number[] = [];
    for (let b = 0; b < 10; b++) for (let j = 0; j < 3; j++) for (let i = 0; i < rows; i++) want.push(ints[b * rows * 3 + i * 3 + j]!);
    expect(t.values).toEqual(want);
  });

  it('Cast bool -> float32 / int32 and of CPU-held small tensors', async () => {
    const x = lcg(2000, 3);
    const mask = await onGpu(
      () =>
        tfc.transpose(tfc.cast(tfc.greater(onDevice(tfc.tensor(x, [1, 1000, 2]) as unknown as Tensor) as never, 0), 'float32'), [0, 2, 1]) as unknown as Tensor,
    );
    expect(mask.values).toEqual([0, 1].flatMap((j) => Array.from({ length: 1000 }, (_, i) => (x[i * 2 + j]! > 0 ? 1 : 0))));
    const asInt = await onGpu(() => tfc.sum(tfc.cast(tfc.greater(onDevice(tfc.tensor(x) as unknown as Tensor) as never, 0), 'int32')) as unknown as Tensor);
    expect(asInt.dtype).toBe('int32');
    expect(asInt.values[0]).toBe(x.filter((v) => v > 0).length);
    const small = await onGpu(() => tfc.mul(tfc.cast(tfc.tensor([1, -2, 3], [3], 'int32'), 'float32'), 0.5) as unknown as Tensor);
    expect(small.values).toEqual([0.5, -1, 1.5]);
    // A float -> int cast (precision loss) still goes through the stock kernel: truncation.
    const trunc = await onGpu(() => tfc.cast(onDevice(tfc.tensor([1.7, -1.7, 2.2]) as unknown as Tensor) as never, 'int32') as unknown as Tensor);
    expect(trunc.values).toEqual([1, -1, 2]);
  });

  it('CategoryEncoding-style multi-hot: max over the cast one-hot axis', async () => {
    const ids = [
      [0, 3, 5],
      [1, 1, 2],
    ];
    const got = await onGpu(() => tfc.max(tfc.cast(tfc.oneHot(tfc.tensor2d(ids, [2, 3], 'int32'), 6), 'float32'), 1) as unknown as Tensor);
    expect(got.values).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0]);
  });

  it.each([
    { shape: [2, 3, 4, 5, 2], pads: [[1, 0], [0, 2], [1, 1], [2, 0], [1, 0]] as [number, number][], value: 0.5 },
    { shape: [1, 5, 4, 4, 2], pads: [[0, 0], [1, 1], [1, 1], [1, 1], [0, 0]] as [number, number][], value: 0 },
    { shape: [2, 3, 2, 2, 3, 2], pads: [[0, 0], [1, 0], [0, 0], [0, 1], [1, 1], [0, 0]] as [number, number][], value: -1 },
    { shape: [2, 3, 2, 2, 3], pads: [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]] as [number, number][], value: 0 },
    { shape: [3, 4], pads: [[1, 2], [0, 1]] as [number, number][], value: 2 },
  ])('PadV2 rank $shape.length with constant $value matches the reference', async ({ shape, pads, value }) => {
    const x = lcg(size(shape), 11);
    const got = await onGpu(() => tfc.pad(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, pads, value) as unknown as Tensor);
    expect(got.shape).toEqual(shape.map((d, i) => d + pads[i]![0] + pads[i]![1]));
    expectAllClose(got.values, padRef(x, shape, pads, 'constant', value), { atol: 0, rtol: 0 });
  });

  it.each(['reflect', 'symmetric'] as const)('MirrorPad %s on rank 5 matches the reference', async (mode) => {
    const shape = [1, 3, 4, 4, 2];
    const pads: [number, number][] = [[0, 0], [1, 1], [2, 1], [1, 0], [0, 1]];
    const x = lcg(size(shape), 5);
    const got = await onGpu(() => tfc.mirrorPad(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, pads, mode) as unknown as Tensor);
    expectAllClose(got.values, padRef(x, shape, pads, mode), { atol: 0, rtol: 0 });
  });

  it.each([
    { shape: [2, 3, 4, 5, 2], axes: [0, 1, 2] },
    { shape: [2, 3, 4, 5, 2], axes: [4, 3] },
    { shape: [2, 2, 3, 2, 2, 3], axes: [1, 5] },
    { shape: [3, 4, 5], axes: [1] },
  ])('Reverse rank $shape.length over $axes matches the reference', async ({ shape, axes }) => {
    const x = lcg(size(shape), 9);
    const got = await onGpu(() => tfc.reverse(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, axes) as unknown as Tensor);
    expectAllClose(got.values, reverseRef(x, shape, axes), { atol: 0, rtol: 0 });
  });

  it('DenseBincount binaryOutput gives 0/1 (stock: all zeros) and ignores weights; counts unchanged', async () => {
    const ids = [
      [0, 3, 5, 3],
      [1, 1, 2, 0],
    ];
    const binary = await onGpu(() => tfc.denseBincount(tfc.tensor2d(ids, [2, 4], 'int32'), tfc.tensor1d([]) as never, 6, true) as unknown as Tensor);
    expect(binary.values).toEqual([1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0]);
    const weighted = await onGpu(
      () => tfc.denseBincount(tfc.tensor2d(ids, [2, 4], 'int32'), tfc.tensor2d([[2, 2, 2, 2], [0.5, 0.5, 0.5, 0.5]]), 6, true) as unknown as Tensor,
    );
    expect(weighted.values).toEqual([1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0]);
    const counts = await onGpu(() => tfc.denseBincount(tfc.tensor2d(ids, [2, 4], 'int32'), tfc.tensor1d([]) as never, 6, false) as unknown as Tensor);
    expect(counts.values).toEqual([1, 0, 0, 2, 0, 1, 1, 2, 1, 0, 0, 0]);
  });

  it('binary ops between a rank-5 tensor and a rank-1 one (a Conv3D bias) broadcast correctly', async () => {
    const shape = [1, 5, 4, 4, 2];
    const x = lcg(size(shape), 21);
    const bias = [0.25, -0.75];
    const add = await onGpu(() => tfc.add(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, tfc.tensor1d(bias)) as unknown as Tensor);
    expect(add.shape).toEqual(shape);
    expectAllClose(add.values, x.map((v, i) => v + bias[i % 2]!), { atol: 1e-7, rtol: 0 });
    const sub = await onGpu(() => tfc.sub(tfc.tensor1d(bias), onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never) as unknown as Tensor);
    expectAllClose(sub.values, x.map((v, i) => bias[i % 2]! - v), { atol: 1e-7, rtol: 0 });
    const cmp = await onGpu(() => tfc.greater(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, tfc.tensor1d([0, 0.5])) as unknown as Tensor);
    expect(cmp.values).toEqual(x.map((v, i) => (v > [0, 0.5][i % 2]! ? 1 : 0)));
    const alpha = [0.1, 0.3];
    const prelu = await onGpu(() => tfc.prelu(onDevice(tfc.tensor(x, shape) as unknown as Tensor) as never, tfc.tensor1d(alpha)) as unknown as Tensor);
    expectAllClose(prelu.values, x.map((v, i) => (v > 0 ? v : alpha[i % 2]! * v)), { atol: 1e-7, rtol: 0 });
  });

  it('synchronous reads fail with a clear BackendError naming the async alternative', async () => {
    const y = tidy(() => onDevice(tfc.tensor(lcg(2000, 1)) as unknown as Tensor));
    expect(() => y.dataSync()).toThrow(/'webgpu' backend cannot read GPU memory synchronously.*await tensor\.data\(\)/);
    expect((await y.data()).length).toBe(2000);
    // Once read back, the values are cached on the CPU and synchronous reads work.
    expect(y.dataSync().length).toBe(2000);
    y.dispose();
  });
});
