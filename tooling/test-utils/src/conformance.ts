// The backend conformance check: a layer's forward output and its gradients (with respect to the
// inputs and to every trainable weight) on one backend must equal those on the reference backend
// (cpu). Typed structurally, like layer-checks.ts, so test-utils does not depend on @strata/layers.
import { type Tensor, getBackend, grads, isTensor, memory, ops, setBackend, tensor, tidy, variableGrads } from '@strata/core';
import type { Tolerance } from './allclose';
import type { CheckableLayer } from './layer-checks';

/** One input of a conformance case: its shape, dtype and the range its (deterministic) values span. */
export interface ConformanceInput {
  shape: number[];
  dtype?: 'float32' | 'int32';
  /** Values are drawn in [low, high) (int32: integers in [low, high)); default [-1, 1). */
  range?: [number, number];
}

export interface ConformanceCase {
  /** Shown in results; usually the layer class name plus what the case varies. */
  name: string;
  /** A fresh, unbuilt layer. */
  make: () => CheckableLayer;
  /** One input or a list (multi-input layers); a bare shape means float32 in [-1, 1). */
  input: number[] | ConformanceInput | (number[] | ConformanceInput)[];
  /** Whether the layer takes a list even for one input (default: a list when `input` is a list of inputs). */
  listInput?: boolean;
  /** Extra call arguments (e.g. `{ training: false }`). */
  callArgs?: Record<string, unknown>;
  /** Compare input gradients (default true; always skipped for int32 inputs). */
  inputGrads?: boolean;
  /** Compare weight gradients (default true). */
  weightGrads?: boolean;
  /** Overrides the suite tolerance for this case. */
  tolerance?: Tolerance;
}

export interface ConformanceResult {
  name: string;
  ok: boolean;
  /** Largest |target - reference| of the outputs, input gradients and weight gradients (null: not compared). */
  forward: number | null;
  inputGrad: number | null;
  weightGrad: number | null;
  /** Why the case failed: a thrown error or the first value out of tolerance. */
  error?: string;
}

export interface ConformanceOptions {
  /** The backend taken as truth (default 'cpu'). */
  reference?: string;
  /** Default atol 1e-4, rtol 1e-3 (float32 sums in a different order on another backend). */
  tolerance?: Tolerance;
}

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

function normalise(spec: number[] | ConformanceInput): ConformanceInput {
  return Array.isArray(spec) ? { shape: spec } : spec;
}

function inputList(c: ConformanceCase): ConformanceInput[] {
  const i = c.input;
  if (Array.isArray(i) && i.length > 0 && typeof i[0] !== 'number') return (i as (number[] | ConformanceInput)[]).map(normalise);
  return [normalise(i as number[] | ConformanceInput)];
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Outputs, input gradients and weight gradients of one case on the active backend, as plain arrays. */
interface Snapshot {
  outputs: number[][];
  inputGrads: number[][];
  weightGrads: number[][];
}

/** Fixed pseudo-random projection weights in [0.5, 1.5): every output entry reaches the loss. */
function projection(y: Tensor, k: number): Tensor {
  return tensor(lcg(y.size, 7 + k, [0.5, 1.5], false), y.shape);
}

/**
 * Reads the case on the active backend. Values are read with `await data()`: WebGPU cannot read
 * synchronously in Node (buffers map only asynchronously), and in Chromium on SwiftShader its
 * synchronous read (through an OffscreenCanvas) returns zeros. So one runner serves every backend.
 */
async function snapshot(layer: CheckableLayer, c: ConformanceCase, data: { values: number[]; spec: ConformanceInput }[]): Promise<Snapshot> {
  const multi = c.listInput ?? data.length > 1;
  const args = c.callArgs ?? { training: false };
  const parts = tidy(() => {
    const xs = data.map(({ values, spec }) => tensor(values, spec.shape, spec.dtype ?? 'float32'));
    const call = (inputs: Tensor[]) => asList(layer.apply(multi ? inputs : inputs[0]!, args) as Tensor | Tensor[]).filter(isTensor);
    const loss = (inputs: Tensor[]) => {
      const terms = call(inputs)
        .filter((y) => y.dtype === 'float32')
        .map((y, k) => ops.sum(ops.multiply(y, projection(y, k))));
      return terms.reduce((a, b) => ops.add(a, b)) as never;
    };
    const outputs = call(xs);
    const floatIn = xs.every((x) => x.dtype === 'float32');
    const inputGrads = (c.inputGrads ?? true) && floatIn ? grads((...ins: Tensor[]) => loss(ins))(xs) : [];
    const weights = layer.trainableWeights;
    const weightGrads = (c.weightGrads ?? true) && weights.length > 0 ? variableGrads(() => loss(xs), weights).grads : [];
    return { outputs, inputGrads, weightGrads };
  });
  const kept = [...parts.outputs, ...parts.inputGrads, ...parts.weightGrads];
  // Everything is read before anything is disposed (the same tensor object may stand in the lists
  // more than once), and everything is disposed even when a read throws.
  try {
    const read = (ts: Tensor[]) => Promise.all(ts.map(async (t) => Array.from(await t.data())));
    return { outputs: await read(parts.outputs), inputGrads: await read(parts.inputGrads), weightGrads: await read(parts.weightGrads) };
  } finally {
    for (const t of new Set(kept)) t.dispose();
  }
}

/** Largest excess over `atol + rtol * |ref|` and the largest |diff|, across lists of arrays. */
function compare(got: number[][], want: number[][], tol: Required<Tolerance>, what: string): { diff: number; error?: string } {
  if (got.length !== want.length) return { diff: Number.POSITIVE_INFINITY, error: `${what}: ${got.length} tensors vs ${want.length}` };
  let diff = 0;
  for (let k = 0; k < got.length; k++) {
    const a = got[k]!;
    const b = want[k]!;
    if (a.length !== b.length) return { diff: Number.POSITIVE_INFINITY, error: `${what}[${k}]: ${a.length} values vs ${b.length}` };
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (Number.isNaN(a[i]!) !== Number.isNaN(b[i]!) || d > tol.atol + tol.rtol * Math.abs(b[i]!)) {
        return { diff: Number.isNaN(d) ? Number.POSITIVE_INFINITY : d, error: `${what}[${k}] at ${i}: got ${a[i]}, reference ${b[i]}` };
      }
      if (!Number.isNaN(d)) diff = Math.max(diff, d);
    }
  }
  return { diff };
}

/**
 * Runs every case on the reference backend and then on `backendName` (the same layer object: its
 * weights move to the new backend, as when a user switches backends) and compares forward outputs,
 * input gradients and weight gradients. Values are read asynchronously, so it serves every backend
 * (cpu, wasm, webgl, webgpu in Node and in a browser). Never throws for a failing case: each result
 * says what failed. The active backend is restored afterwards.
 */
export async function runConformance(
  backendName: string,
  cases: ConformanceCase[],
  options: ConformanceOptions = {},
): Promise<ConformanceResult[]> {
  const reference = options.reference ?? 'cpu';
  // Before any backend is initialised (or while an async one is pending) there is nothing to restore
  // but the reference.
  let initial = reference;
  try {
    initial = getBackend() || reference;
  } catch {}
  const results: ConformanceResult[] = [];
  await setBackend(reference);
  try {
    for (const [n, c] of cases.entries()) {
      const tol = { atol: 1e-4, rtol: 1e-3, ...options.tolerance, ...c.tolerance };
      const data = inputList(c).map((spec, k) => {
        const size = spec.shape.reduce((p, v) => p * v, 1);
        return { spec, values: lcg(size, 1000 + 31 * n + k, spec.range ?? [-1, 1], spec.dtype === 'int32') };
      });
      let layer: CheckableLayer | null = null;
      const before = memory().numTensors;
      try {
        await setBackend(reference);
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
  } finally {
    await setBackend(initial);
  }
  return results;
}

/** Throws one error listing every failed case (with its reason); returns silently when all passed. */
export function assertConformance(backendName: string, results: ConformanceResult[]): void {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return;
  throw new Error(
    `${failed.length} of ${results.length} layer case(s) differ between '${backendName}' and the reference backend:\n` +
      failed.map((r) => `  ${r.name}: ${r.error}`).join('\n'),
  );
}
