// The backend conformance suite run for 'webgpu' (Dawn in Node: Mesa llvmpipe through OpenGL ES on a
// machine without a GPU, Vulkan on one with a GPU): every case's forward output, input gradients and
// weight gradients on webgpu equal the cpu backend's.
//
// `runConformance` from @strata/test-utils reads results with `dataSync()`, which WebGPU cannot do
// outside a browser (buffers map only asynchronously). So the same cases and the same comparison
// (inputs, loss projection, atol + rtol * |reference|) run here through `await data()`.
import { type Tensor, grads, isTensor, memory, ops, setBackend, tensor, tidy, variableGrads } from '@strata/core';
import * as L from '@strata/layers';
import { type ConformanceCase, type ConformanceResult, assertConformance, layerConformanceCases } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuAdapterInfo } from './index';

/** Every exported trainable or differentiable layer, with its main option variants. */
const cases: ConformanceCase[] = layerConformanceCases(L);

/**
 * float32 on the GPU sums in another order than the cpu backend (tiled matmuls, parallel
 * reductions); llvmpipe also flushes denormals and uses fused multiply-adds.
 */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

function lcg(n: number, seed: number, [low, high]: [number, number], integer: boolean): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = (s >>> 8) / 2 ** 24;
    out.push(integer ? Math.min(high - 1, Math.floor(low + u * (high - low))) : low + u * (high - low));
  }
  return out;
}

type Spec = { shape: number[]; dtype?: 'float32' | 'int32'; range?: [number, number] };
const specs = (c: ConformanceCase): Spec[] => {
  const i = c.input as unknown;
  const norm = (s: number[] | Spec): Spec => (Array.isArray(s) ? { shape: s } : s);
  if (Array.isArray(i) && i.length > 0 && typeof i[0] !== 'number') return (i as (number[] | Spec)[]).map(norm);
  return [norm(i as number[] | Spec)];
};
const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

interface Snapshot {
  outputs: number[][];
  inputGrads: number[][];
  weightGrads: number[][];
}

/** Outputs and gradients of `layer` on the active backend, read asynchronously. */
async function snapshot(layer: ReturnType<ConformanceCase['make']>, c: ConformanceCase, data: { values: number[]; spec: Spec }[]): Promise<Snapshot> {
  const multi = c.listInput ?? data.length > 1;
  const args = c.callArgs ?? { training: false };
  const parts = tidy(() => {
    const xs = data.map(({ values, spec }) => tensor(values, spec.shape, spec.dtype ?? 'float32'));
    const call = (inputs: Tensor[]) => asList(layer.apply(multi ? inputs : inputs[0]!, args) as Tensor | Tensor[]).filter(isTensor);
    const loss = (inputs: Tensor[]) =>
      call(inputs)
        .filter((y) => y.dtype === 'float32')
        .map((y, k) => ops.sum(ops.multiply(y, tensor(lcg(y.size, 7 + k, [0.5, 1.5], false), y.shape))))
        .reduce((a, b) => ops.add(a, b)) as never;
    const outputs = call(xs);
    const floatIn = xs.every((x) => x.dtype === 'float32');
    const inputGrads = (c.inputGrads ?? true) && floatIn ? grads((...ins: Tensor[]) => loss(ins))(xs) : [];
    const weights = layer.trainableWeights;
    const weightGrads = (c.weightGrads ?? true) && weights.length > 0 ? variableGrads(() => loss(xs), weights).grads : [];
    return { outputs, inputGrads, weightGrads };
  });
  const read = async (ts: Tensor[]) => {
    const out = await Promise.all(ts.map(async (t) => Array.from(await t.data())));
    for (const t of ts) t.dispose();
    return out;
  };
  return { outputs: await read(parts.outputs), inputGrads: await read(parts.inputGrads), weightGrads: await read(parts.weightGrads) };
}

function compare(got: number[][], want: number[][], tol: { atol: number; rtol: number }, what: string): { diff: number; error?: string } {
  if (got.length !== want.length) return { diff: Number.POSITIVE_INFINITY, error: `${what}: ${got.length} tensors vs ${want.length}` };
  let diff = 0;
  for (let k = 0; k < got.length; k++) {
    const a = got[k]!;
    const b = want[k]!;
    if (a.length !== b.length) return { diff: Number.POSITIVE_INFINITY, error: `${what}[${k}]: ${a.length} values vs ${b.length}` };
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (Number.isNaN(a[i]!) !== Number.isNaN(b[i]!) || d > tol.atol + tol.rtol * Math.abs(b[i]!)) {
        return { diff: d, error: `${what}[${k}] at ${i}: got ${a[i]}, reference ${b[i]}` };
      }
      if (!Number.isNaN(d)) diff = Math.max(diff, d);
    }
  }
  return { diff };
}

/** Like test-utils' `runConformance`, reading through `await data()`; never throws for a case. */
async function runConformanceAsync(backendName: string, list: ConformanceCase[]): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const [n, c] of list.entries()) {
    const tol = { ...TOLERANCE, ...c.tolerance };
    const data = specs(c).map((spec, k) => {
      const size = spec.shape.reduce((p, v) => p * v, 1);
      return { spec, values: lcg(size, 1000 + 31 * n + k, spec.range ?? [-1, 1], spec.dtype === 'int32') };
    });
    let layer: ReturnType<ConformanceCase['make']> | null = null;
    const before = memory().numTensors;
    try {
      await setBackend('cpu');
      layer = c.make();
      const want = await snapshot(layer, c, data);
      await setBackend(backendName);
      const got = await snapshot(layer, c, data);
      const fwd = compare(got.outputs, want.outputs, tol, 'output');
      const ig = compare(got.inputGrads, want.inputGrads, tol, 'input gradient');
      const wg = compare(got.weightGrads, want.weightGrads, tol, 'weight gradient');
      const error = fwd.error ?? ig.error ?? wg.error;
      results.push({
        name: c.name,
        ok: error == null,
        forward: fwd.diff,
        inputGrad: want.inputGrads.length > 0 ? ig.diff : null,
        weightGrad: want.weightGrads.length > 0 ? wg.diff : null,
        ...(error != null ? { error } : {}),
      });
    } catch (e) {
      results.push({ name: c.name, ok: false, forward: null, inputGrad: null, weightGrad: null, error: (e as Error).message });
    } finally {
      layer?.dispose?.();
    }
    const leaked = memory().numTensors - before;
    const last = results[results.length - 1]!;
    if (leaked > 0 && last.ok && layer?.dispose != null) {
      last.ok = false;
      last.error = `${leaked} tensor(s) leaked`;
    }
  }
  await setBackend('cpu');
  return results;
}

describe('backend conformance: webgpu vs cpu', () => {
  let results: ConformanceResult[] = [];
  beforeAll(async () => {
    results = await runConformanceAsync('webgpu', cases);
  }, 600_000);
  afterAll(async () => setBackend('cpu'));

  it('ran every case, on a WebGPU adapter it reports', () => {
    expect(results.map((r) => r.name)).toEqual(cases.map((c) => c.name));
    const info = webgpuAdapterInfo();
    expect(info).not.toBeNull();
    expect(`${info!.device}${info!.description}`.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => c.name))('%s: forward, input gradients and weight gradients match cpu', (name) => {
    const r = results.find((x) => x.name === name)!;
    // A missing webgpu kernel shows up here as "Kernel 'X' not registered for backend 'webgpu'".
    expect(r.error ?? null, name).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.forward).not.toBeNull();
  });

  it('the comparison notices a backend that computes something else', async () => {
    let calls = 0;
    const flaky: ConformanceCase = {
      name: 'flaky',
      make: () => new L.Lambda({ function: (x: Tensor) => ops.multiply(x, calls++ === 0 ? 1 : 1.01) } as never),
      input: [2, 3],
      inputGrads: false,
      weightGrads: false,
    };
    const [r] = await runConformanceAsync('webgpu', [flaky]);
    expect(r!.ok).toBe(false);
    expect(r!.error).toMatch(/^output\[0\] at \d+: got/);
    expect(() => assertConformance('webgpu', [r!])).toThrow(/1 of 1 layer case/);
  });
});
