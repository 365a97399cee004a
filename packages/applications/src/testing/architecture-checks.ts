// Test-only helpers shared by the architecture tests (not exported from index.ts): building
// Keras' `model.layers` list of a hand-written reference graph, reading the same list off a model,
// parameter counts, deterministic weights, and the checks every application's weight loading and
// argument handling goes through. Nothing here calls an application: references stay independent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { writeLegacyWeights } from '@strata/io';
import { clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Img } from './float64';

export type Dim = number | null;

/** One entry of `model.layers`: name, class, weight shapes and (when known) output shape. */
export interface Row {
  name: string;
  className: string;
  shapes: number[][];
  out: Dim[];
}

/** A node of a reference graph: a `Row` and the nodes it is called on. */
export interface Rec extends Row {
  inputs: Rec[];
}

/** A layer of a reference graph; `name` null takes Keras' automatic name for the class. */
export type LayerRecorder = (className: string, name: string | null, inputs: Rec[], out: Dim[], shapes?: number[][]) => Rec;

/**
 * Records reference layers; unnamed ones get Keras' automatic names (`conv2d`, `conv2d_1`, ...)
 * counted per prefix as in a fresh session. `auto` maps a class to its prefix.
 */
export function recorder(auto: Record<string, string>): LayerRecorder {
  const uids = new Map<string, number>();
  return (className, name, inputs, out, shapes = []) => {
    let n = name;
    if (n == null) {
      const p = auto[className];
      if (p == null) throw new Error(`recorder: no automatic name prefix for ${className}`);
      const k = uids.get(p) ?? 0;
      uids.set(p, k + 1);
      n = k === 0 ? p : `${p}_${k}`;
    }
    return { name: n, className, shapes, out, inputs };
  };
}

/**
 * `model.layers` order as Keras' `map_graph` (keras/src/ops/function.py) makes it: a DFS from the
 * output numbers each layer when first reached; depth = longest path to the output; layers are
 * listed by decreasing depth, ties by that DFS number.
 */
export function kerasOrder(output: Rec): Row[] {
  const index = new Map<Rec, number>();
  const finished = new Set<Rec>();
  const topo: Rec[] = [];
  const visit = (r: Rec): void => {
    if (finished.has(r)) return;
    if (!index.has(r)) index.set(r, index.size);
    for (const p of r.inputs) visit(p);
    finished.add(r);
    topo.push(r);
  };
  visit(output);
  const depth = new Map<Rec, number>();
  for (let i = topo.length - 1; i >= 0; i--) {
    const r = topo[i]!;
    const d = depth.get(r) ?? 0;
    depth.set(r, d);
    for (const p of r.inputs) depth.set(p, Math.max(d + 1, depth.get(p) ?? 0));
  }
  return [...topo]
    .sort((a, b) => depth.get(b)! - depth.get(a)! || index.get(a)! - index.get(b)!)
    .map(({ name, className, shapes, out }) => ({ name, className, shapes, out }));
}

/**
 * Total and non-trainable parameters of a reference list: BatchNormalization's last two weights
 * are its moving statistics, and Normalization's weights are all statistics.
 */
export function paramCounts(rows: { className: string; shapes: number[][] }[]): { total: number; nonTrainable: number } {
  let total = 0;
  let nonTrainable = 0;
  for (const r of rows) {
    const sizes = r.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    total += sizes.reduce((a, b) => a + b, 0);
    if (r.className === 'BatchNormalization') nonTrainable += sizes.slice(-2).reduce((a, b) => a + b, 0);
    if (r.className === 'Normalization') nonTrainable += sizes.reduce((a, b) => a + b, 0);
  }
  return { total, nonTrainable };
}

/** A model's `layers` as reference rows (name, class, weight shapes, output shape). */
export function layerRows(model: Model): Row[] {
  return model.layers.map((l) => ({ name: l.name, className: l.className, shapes: l.weights.map((w) => [...w.shape]), out: [...(l.outputShape as Dim[])] }));
}

/** A model's `layers` without output shapes (for references that do not track them). */
export function layerWeightRows(model: Model): Omit<Row, 'out'>[] {
  return model.layers.map((l) => ({ name: l.name, className: l.className, shapes: l.weights.map((w) => [...w.shape]) }));
}

/** The model is named `name`, its `layers` are `rows` exactly, and it has `params` (`nonTrainable`) parameters. */
export function expectArchitecture(model: Model, expected: { name: string; rows: Row[]; params: number; nonTrainable?: number }): void {
  expect(model.name).toBe(expected.name);
  expect(layerRows(model)).toEqual(expected.rows);
  expect(model.countParams()).toBe(expected.params);
  if (expected.nonTrainable !== undefined) expect(nonTrainableCount(model)).toBe(expected.nonTrainable);
}

/** Number of non-trainable parameters of a model. */
export function nonTrainableCount(model: Model): number {
  return model.nonTrainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** Every weight of every layer as plain numbers, by layer name (what the float64 references read). */
export function weightsByName(model: Model): Map<string, number[][]> {
  return new Map(model.layers.map((l) => [l.name, l.weights.map((v) => Array.from(v.value.dataSync()))]));
}

/** Every weight's bytes, for exact comparisons that stay fast on millions of values. */
export function weightBytes(model: Model): string[] {
  return model.weights.map((v) => Buffer.from(new Uint8Array(v.value.dataSync().slice().buffer)).toString('base64'));
}

/**
 * Deterministic non-trivial values for every weight from a linear congruential generator:
 * BatchNormalization's moving variance and gamma in [0.5, 1.5), the others uniform in
 * `[-amplitude(v) / 2, amplitude(v) / 2)`.
 */
export function fillWeights(model: Model, seed: number, amplitude: (v: { path: string; shape: number[] }) => number = () => 1): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const positive = v.path.endsWith('moving_variance') || v.path.endsWith('gamma');
    const amp = amplitude(v);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = positive ? 0.5 + next() : (next() - 0.5) * amp;
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

/**
 * `fillWeights` amplitudes that keep activations O(1) through a deep network: kernels get
 * `gain / sqrt(fan-in)` (a depthwise kernel's fan-in is its window), other weights 0.6.
 */
export function fanInAmplitude(gain: number): (v: { path: string; shape: number[] }) => number {
  return (v) => (v.shape.length === 4 ? gain / Math.sqrt(v.shape[0]! * v.shape[1]! * (v.path.endsWith('depthwise_kernel') ? 1 : v.shape[2]!)) : 0.6);
}

/**
 * Non-trivial normalization statistics (fresh ones are mean 0 / variance 1), other weights kept:
 * weights whose path ends in one of `positive` get values in [0.6, 1.4], in `centered` values in
 * [-0.2, 0.2].
 */
export function perturbStatistics(model: Model, positive = ['moving_variance', 'gamma'], centered = ['moving_mean', 'beta']): void {
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const p = v.path;
    const f = positive.some((e) => p.endsWith(e))
      ? (i: number) => 0.6 + 0.8 * Math.abs(Math.sin(i * 1.7))
      : centered.some((e) => p.endsWith(e))
        ? (i: number) => 0.2 * Math.cos(i * 0.9)
        : null;
    if (f) tidy(() => v.assign(tensor(Array.from({ length: n }, (_, i) => f(i)), v.shape)));
  }
}

/** A test image: `n` samples of `h` x `w` x 3 from `pixel(i)`; `img` is the first sample in float64 (as float32 rounds it). */
export function testImage(h: number, w = h, n = 1, pixel = (i: number) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.11)): { img: Img; t: Tensor } {
  const data = Array.from({ length: n * h * w * 3 }, (_, i) => pixel(i));
  return { img: { h, w, c: 3, d: Float64Array.from(Float32Array.from(data.slice(0, h * w * 3))) }, t: tensor(data, [n, h, w, 3]) };
}

/**
 * The model's output on `input.t` equals the float64 `reference` fed the model's own weights:
 * finite, of the same length, not degenerate (some |value| above `minMagnitude`).
 */
export function expectForwardMatches(
  model: Model,
  input: { img: Img; t: Tensor },
  reference: (weights: Map<string, number[][]>, img: Img) => number[],
  tolerance: { atol: number; rtol: number } = { atol: 1e-4, rtol: 1e-3 },
  minMagnitude = 1e-3,
): void {
  const got = tidy(() => Array.from((model.apply(input.t) as Tensor).dataSync()));
  const want = reference(weightsByName(model), input.img);
  expect(got.every(Number.isFinite)).toBe(true);
  expect(got.length).toBe(want.length);
  expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(minMagnitude);
  expectAllClose(got, want, tolerance);
}

/**
 * The headless model: at unknown size it matches `reference(null)`, has `params` parameters and a
 * (None, None, None, channels) output; with pooling 'avg' / 'max' at `size` x `size` it matches
 * `reference(size, pooling)`, ends in the matching global pooling and outputs (None, channels).
 */
export async function expectHeadlessVariants(
  build: (options: { pooling?: 'avg' | 'max'; inputShape?: number[] }) => Promise<Model>,
  reference: (size: number | null, pooling?: 'avg' | 'max') => Row[],
  expected: { params: number; channels: number; size: number },
): Promise<void> {
  clearSession();
  const free = await build({});
  expect(free.countParams()).toBe(expected.params);
  expect(layerRows(free)).toEqual(reference(null));
  expect(free.outputs[0]!.shape).toEqual([null, null, null, expected.channels]);
  free.dispose();
  for (const pooling of ['avg', 'max'] as const) {
    clearSession();
    const m = await build({ pooling, inputShape: [expected.size, expected.size, 3] });
    expect(layerRows(m)).toEqual(reference(expected.size, pooling));
    expect(m.layers.at(-1)!.className).toBe(pooling === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D');
    expect(m.outputs[0]!.shape).toEqual([null, expected.channels]);
    m.dispose();
  }
}

/**
 * The whole network, given `fillWeights(seed, fanInAmplitude(gain))` weights, maps a
 * `size` x `size` test image to what the float64 `reference` computes; nothing leaks.
 */
export async function expectWholeNetworkForward(
  build: () => Promise<Model>,
  reference: (weights: Map<string, number[][]>, img: Img) => number[],
  { seed, gain, size }: { seed: number; gain: number; size: number },
): Promise<void> {
  clearSession();
  const before = memory().numTensors;
  const m = await build();
  fillWeights(m, seed, fanInAmplitude(gain));
  const input = testImage(size);
  expectForwardMatches(m, input, reference);
  input.t.dispose();
  m.dispose();
  expect(memory().numTensors).toBe(before);
}

/**
 * A fresh temporary folder per test, with `STRATA_HOME` / `KERAS_HOME` pointing into it so no
 * test reads or writes the real caches (`HOME` is restored too, for tests that move it); fetch
 * stubs and spies are undone after each test, `also` runs after the set-up.
 * Call inside a `describe`.
 */
export function useTempCache(prefix: string, also: () => void = () => {}): { readonly dir: string } {
  const state = { dir: '' };
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), prefix));
    for (const k of ['STRATA_HOME', 'KERAS_HOME', 'HOME']) saved[k] = process.env[k];
    process.env.STRATA_HOME = join(state.dir, 'strata');
    process.env.KERAS_HOME = join(state.dir, 'keras');
    also();
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}

/**
 * Loading a Keras-layout legacy `.h5` by topology puts every weight in its layer: each weight of
 * a model from `build(null)` is filled with its layer's position in `rows` and its own index,
 * written to `file`, and read back by `build(file)`. Nothing leaks.
 */
export async function expectWeightsLoadByTopology(build: (weights: string | null) => Promise<Model>, rows: Row[], file: string): Promise<void> {
  const pos = new Map(rows.map((r, i) => [r.name, i]));
  const code = (layer: string, j: number, path: string) => pos.get(layer)! * 10 + j + (path.endsWith('moving_variance') ? 0.5 : 0);
  clearSession();
  const src = await build(null);
  for (const l of src.layers) {
    l.weights.forEach((v, j) => {
      tidy(() => v.assign(tensor(new Float32Array(v.shape.reduce((a, b) => a * b, 1)).fill(code(l.name, j, v.path)), v.shape)));
    });
  }
  writeFileSync(file, await writeLegacyWeights(src));
  src.dispose();
  clearSession();
  const before = memory().numTensors;
  const m = await build(file);
  let checked = 0;
  for (const l of m.layers) {
    l.weights.forEach((v, j) => {
      const vals = v.value.dataSync();
      const want = code(l.name, j, v.path);
      expect([l.name, vals[0], vals[vals.length - 1]]).toEqual([l.name, want, want]);
      checked++;
    });
  }
  expect(checked).toBe(m.weights.length);
  expect(checked).toBe(rows.reduce((s, r) => s + r.shapes.length, 0));
  m.dispose();
  expect(memory().numTensors).toBe(before);
}

/** With the network down, `weights: 'imagenet'` fails naming Keras' URL, and nothing leaks. */
export async function expectImagenetOffline(build: () => Promise<Model>, url: string): Promise<void> {
  clearSession();
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      throw new TypeError('fetch failed');
    }),
  );
  const before = memory().numTensors;
  const err = await build().catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toContain(url);
  expect(memory().numTensors).toBe(before);
}

/** Each call is rejected with its message (a substring or a pattern), and nothing leaks. */
export async function expectRejections(cases: [() => Promise<unknown>, string | RegExp][]): Promise<void> {
  const before = memory().numTensors;
  for (const [call, message] of cases) await expect(call()).rejects.toThrow(message);
  expect(memory().numTensors).toBe(before);
}

/** What a test-side `getFile` stand-in records and serves (see `servingGetFile`). */
export interface ServedFiles {
  bytes: Uint8Array | null;
  calls: { fname: string; origin: string; fileHash: string | null | undefined }[];
}

/** Forgets what was served and serves nothing (for `useTempCache`'s set-up). */
export function resetServed(served: ServedFiles): void {
  served.bytes = null;
  served.calls.length = 0;
}

/**
 * A `./weights` module whose `getFile` records each request and, when `served.bytes` is set,
 * hands out those bytes instead of Keras' file (which cannot be fetched in the tests). For
 * `vi.mock('../weights', ...)` factories.
 */
export function servingGetFile<M extends { getFile: (fname: string, origin: string, options?: { fileHash?: string | null }) => Promise<unknown> }>(actual: M, served: ServedFiles): M {
  return {
    ...actual,
    getFile: async (fname: string, origin: string, options: { fileHash?: string | null } = {}) => {
      served.calls.push({ fname, origin, fileHash: options.fileHash });
      if (served.bytes != null) return { bytes: served.bytes, path: fname };
      return actual.getFile(fname, origin, options);
    },
  };
}
