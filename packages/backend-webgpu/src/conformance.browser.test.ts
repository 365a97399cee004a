// The backend conformance suite run for 'webgpu' in headless Chromium (WebGPU on SwiftShader's
// Vulkan adapter): each case's forward output, input gradients and weight gradients on webgpu equal
// the cpu backend's.
//
// test-utils' runConformance reads with `dataSync()`. In Chromium tfjs-backend-webgpu implements
// synchronous reads by drawing to an OffscreenCanvas, and on SwiftShader that returns zeros (every
// value read so came back 0), so this suite runs the same cases and the same comparison (inputs,
// loss projection, atol + rtol * |reference|) reading through `await data()`.
import { type Tensor, grads, isTensor, memory, ops, setBackend, tensor, tidy, variableGrads } from '@strata/core';
import * as L from '@strata/layers';
import { type ConformanceCase, type ConformanceResult, assertConformance, layerConformanceCases } from '@strata/test-utils/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuAdapterInfo } from './index';

/**
 * float32 on the GPU, summed in another order than cpu (tiled matmuls, parallel reductions):
 * atol 1e-4, rtol 1e-3, the suite's default. No case needs a looser one.
 */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** Every exported trainable or differentiable layer, with its main option variants (about a minute here). */
const cases: ConformanceCase[] = layerConformanceCases(L);

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
function specs(c: ConformanceCase): Spec[] {
  const i = c.input as unknown;
  const norm = (s: number[] | Spec): Spec => (Array.isArray(s) ? { shape: s } : s);
  if (Array.isArray(i) && i.length > 0 && typeof i[0] !== 'number') return (i as (number[] | Spec)[]).map(norm);
  return [norm(i as number[] | Spec)];
}
const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Outputs, input gradients and weight gradients of `layer` on the active backend, read asynchronously. */
async function snapshot(layer: ReturnType<ConformanceCase['make']>, c: ConformanceCase, data: { values: number[]; spec: Spec }[]) {
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

/** The first value out of `atol + rtol * |reference|`, and the largest |difference|. */
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

/** One case on cpu and then on `backendName` (the same layer: its weights move), compared. */
async function runCase(backendName: string, c: ConformanceCase, n: number): Promise<ConformanceResult> {
  const tol = { ...TOLERANCE, ...c.tolerance };
  const data = specs(c).map((spec, k) => {
    const size = spec.shape.reduce((p, v) => p * v, 1);
    return { spec, values: lcg(size, 1000 + 31 * n + k, spec.range ?? [-1, 1], spec.dtype === 'int32') };
  });
  let layer: ReturnType<ConformanceCase['make']> | null = null;
  const before = memory().numTensors;
  let result: ConformanceResult;
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
    result = {
      name: c.name,
      ok: error == null,
      forward: fwd.diff,
      inputGrad: want.inputGrads.length > 0 ? ig.diff : null,
      weightGrad: want.weightGrads.length > 0 ? wg.diff : null,
      ...(error != null ? { error } : {}),
    };
  } catch (e) {
    result = { name: c.name, ok: false, forward: null, inputGrad: null, weightGrad: null, error: (e as Error).message };
  } finally {
    layer?.dispose?.();
    await setBackend('cpu');
  }
  const leaked = memory().numTensors - before;
  if (leaked > 0 && result.ok) return { ...result, ok: false, error: `${leaked} tensor(s) leaked` };
  return result;
}

describe('backend conformance: webgpu vs cpu (Chromium)', () => {
  const results: ConformanceResult[] = [];
  let tensorsBefore = 0;
  beforeAll(async () => {
    await setBackend('cpu');
    tensorsBefore = memory().numTensors;
  });
  afterAll(async () => setBackend('cpu'));

  it('webgpu starts on the browser adapter', async () => {
    await setBackend('webgpu');
    const info = webgpuAdapterInfo();
    expect(info).not.toBeNull();
    expect(info!.source).toBe('navigator.gpu');
    await setBackend('cpu');
  });

  it.each(cases.map((c) => c.name))('%s: forward, input gradients and weight gradients match cpu', async (name) => {
    const r = await runCase('webgpu', cases.find((c) => c.name === name)!, cases.findIndex((c) => c.name === name));
    results.push(r);
    // A missing kernel shows up here as "Kernel 'X' not registered for backend 'webgpu'".
    expect(r.error ?? null, name).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.forward).not.toBeNull();
  }, 120_000);

  it('assertConformance passes the whole run, and the run leaves no tensors behind', () => {
    expect(results.length).toBe(cases.length);
    expect(() => assertConformance('webgpu', results)).not.toThrow();
    expect(memory().numTensors).toBe(tensorsBefore);
  });
});
