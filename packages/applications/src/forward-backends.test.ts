// Every exported architecture runs a forward pass at a small input on the cpu and on the wasm
// backend, with the same deterministic weights, and both backends agree.
import '@strata/backend-wasm';
import { type DataType, type Tensor, type Variable, getBackend, memory, ops, setBackend, tensor, tidy } from '@strata/core';
import { clearSession, initializers } from '@strata/layers';
import type { Model } from '@strata/models';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as applications from './index';

type Builder = (args: Record<string, unknown>) => Promise<Model>;

interface Case {
  /** Exported function name. */
  fn: string;
  /** Extra constructor arguments. */
  args: Record<string, unknown>;
  /** Square input size: Keras' minimum where it is small. */
  size: number;
  /** Output shape (batch 2), from Keras' docs: channels of the last feature map, or the classes. */
  shape: number[];
  /** The model rescales [0, 255] pixels itself (its own preprocessing layers), so it is fed pixels. */
  pixels?: boolean;
  /** Factor on the offsets (biases, betas, means) of `fillWeights` (default 1); see OFFSET_SCALE. */
  offsetScale?: number;
}

// Keras' minimum input sizes (obtain_input_shape's min_size) where it is not 32 (inception_v3.py,
// inception_resnet_v2.py, xception.py); any other exported architecture runs at 32x32, or at the
// minimum its own "Input size must be at least NxN" error names.
const MIN_SIZE: Record<string, number> = {
  InceptionV3: 75,
  InceptionResNetV2: 75,
  Xception: 71,
};
const DEFAULT_SIZE = 32;

// Architectures whose model starts with its own preprocessing (Keras' docs: ConvNeXt and
// EfficientNet "expect float pixels in [0, 255]"; MobileNetV3 with include_preprocessing=True,
// the default, rescales [0, 255] to [-1, 1]). Fed small values instead, their input is squeezed
// by 1/58 .. 1/255 to an almost constant image and both samples give nearly the same output.
const PIXEL_INPUT = /^(ConvNeXt|EfficientNet|MobileNetV3)/;

// EfficientNet: swish and the squeeze-excitation sigmoid gate each about halve a small signal,
// and BatchNormalization with made-up moving statistics does not renormalize it, so the
// input-dependent part shrinks ~1e4x through the network and drowns under the constant part
// the offsets add (B0: spread 6e-4 of the output scale). Scaling the gammas up instead is a
// knife edge (1.05x: still drowned; 1.1x .. 1.2x: activations of 1e7 that saturate the gates
// and amplify float32 rounding past any fixed tolerance), and BN statistics calibrated on two
// samples divide by near-zero variances. Offsets 50x smaller (OFFSET_SCALE) keep the constant part
// below the signal while every bias, beta and mean is still nonzero and compared.
const OFFSET_SCALE: Record<string, number> = { EfficientNet: 0.02 };

// Output shapes written from Keras' docs (feature channels: VGG 512, ResNet 2048, MobileNet
// 1024 * alpha, MobileNetV2 1280); at 32x32 every one of these downsamples 32x to 1x1.
const CASES: Case[] = [
  { fn: 'VGG16', args: { includeTop: false, pooling: 'avg' }, size: 32, shape: [2, 512] },
  { fn: 'VGG19', args: { includeTop: false, pooling: 'max' }, size: 32, shape: [2, 512] },
  { fn: 'ResNet50', args: { includeTop: true, classes: 10, classifierActivation: null }, size: 32, shape: [2, 10] },
  { fn: 'ResNet101', args: { includeTop: false, pooling: 'avg' }, size: 32, shape: [2, 2048] },
  { fn: 'ResNet152', args: { includeTop: false, pooling: null }, size: 32, shape: [2, 1, 1, 2048] },
  { fn: 'ResNet50V2', args: { includeTop: false, pooling: 'max' }, size: 32, shape: [2, 2048] },
  { fn: 'ResNet101V2', args: { includeTop: false, pooling: 'avg' }, size: 32, shape: [2, 2048] },
  { fn: 'ResNet152V2', args: { includeTop: true, classes: 10, classifierActivation: null }, size: 32, shape: [2, 10] },
  { fn: 'MobileNet', args: { includeTop: false, pooling: 'avg', alpha: 0.5 }, size: 32, shape: [2, 512] },
  // Softmax here: its logits are O(1) with these weights, so the probabilities do not saturate.
  { fn: 'MobileNetV2', args: { includeTop: true, classes: 10, classifierActivation: 'softmax', alpha: 0.35 }, size: 32, shape: [2, 10] },
];

/** Exported architecture constructors: PascalCase functions (not classes) of the package index. */
function exportedArchitectures(): string[] {
  return Object.entries(applications)
    .filter(([name, v]) => typeof v === 'function' && /^[A-Z]/.test(name) && !/^class\b/.test(Function.prototype.toString.call(v)))
    .map(([name]) => name)
    .sort();
}

function allCases(): Case[] {
  const known = new Set(CASES.map((c) => c.fn));
  const extra = exportedArchitectures()
    .filter((fn) => !known.has(fn))
    .map(
      (fn): Case => ({
        fn,
        args: { includeTop: false, pooling: 'avg' },
        size: MIN_SIZE[fn] ?? DEFAULT_SIZE,
        shape: [],
        pixels: PIXEL_INPUT.test(fn),
        offsetScale: OFFSET_SCALE[fn.replace(/B\d$/, '')] ?? 1,
      }),
    );
  return [...CASES, ...extra];
}

/** A small deterministic generator (LCG), so both backends and reruns get the same values. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// One LCG pass over a pool of uniform [0, 1) values, which every variable reads from its own
// offset: the filler copies (memcpy speed) instead of stepping the generator for each of the
// ~700M parameters filled in this file (the closure LCG costs ~25 ns a value here). The length is
// a prime, so no kernel row width lines up with the period and rows are distinct windows.
const POOL_SIZE = 1_048_573;
let pool: Float32Array | null = null;
function uniformPool(): Float32Array {
  if (pool == null) {
    const next = lcg(1234);
    pool = new Float32Array(POOL_SIZE);
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = next();
  }
  return pool;
}

/** `n` values `lo + (hi - lo) * u`, u from the pool starting at `offset`. */
function uniformValues(n: number, offset: number, lo: number, hi: number): Float32Array {
  const u = uniformPool();
  const out = new Float32Array(n);
  for (let i = 0, o = offset % POOL_SIZE; i < n; o = 0) {
    const k = Math.min(POOL_SIZE - o, n - i);
    out.set(u.subarray(o, o + k), i);
    i += k;
  }
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[i] = lo + span * out[i]!;
  return out;
}

/** The last component of a variable's path: Keras' weight name (`kernel`, `moving_variance`, ...). */
function weightName(v: Variable): string {
  return v.path.slice(v.path.lastIndexOf('/') + 1);
}

/**
 * Deterministic weights of a sane scale for deep nets, chosen by what each variable is:
 * - kernels uniform with variance 2/fan_in (He, for ReLU-like activations); fan_in is the
 *   receptive field times the input channels per group, so kh*kw for depthwise kernels;
 * - BatchNormalization / LayerNormalization / LayerScale `gamma` in [0.8, 1.2] (ConvNeXt's
 *   LayerScale starts at 1e-6, which would reduce every block to the identity);
 * - `beta`, `bias`, `moving_mean` and Normalization's `mean` small, in [-0.05, 0.05];
 * - `moving_variance` and Normalization's `variance` in [0.5, 1.5]: a variance is positive;
 * - Normalization's integer `count` (samples seen by adapt(); not read by the forward pass) is
 *   left as built.
 * So activations neither vanish nor overflow through 150 layers.
 */
function fillWeights(model: Model, seed: number, offsetScale = 1): void {
  const depthwise = new Set(model.layers.filter((l) => l.className === 'DepthwiseConv2D').flatMap((l) => l.weights));
  const offsets = lcg(seed);
  for (const v of model.weights) {
    const name = weightName(v);
    if (name === 'count' && v.dtype === 'int32') continue;
    if (v.dtype !== 'float32') throw new Error(`fillWeights: unexpected ${v.dtype} variable ${v.path}`);
    const n = v.size;
    const offset = Math.floor(offsets() * POOL_SIZE);
    let values: Float32Array;
    if (name === 'gamma') values = uniformValues(n, offset, 0.8, 1.2);
    else if (name === 'moving_variance' || name === 'variance') values = uniformValues(n, offset, 0.5, 1.5);
    else if (name === 'beta' || name === 'bias' || name === 'moving_mean' || name === 'mean') values = uniformValues(n, offset, -0.05 * offsetScale, 0.05 * offsetScale);
    else if (v.shape.length >= 2) {
      const shape = v.shape;
      // Depthwise kernels (kh, kw, c, multiplier) sum over kh*kw only.
      const fanIn = depthwise.has(v) || name === 'depthwise_kernel' ? shape[0]! * shape[1]! : shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const a = Math.sqrt(6 / fanIn);
      values = uniformValues(n, offset, -a, a);
    } else {
      throw new Error(`fillWeights: no rule for variable ${v.path} of shape [${v.shape.join(', ')}]`);
    }
    tidy(() => v.assign(tensor(values, v.shape)));
  }
}

/**
 * Keras' random initializers draw every value in JS (seedrandom), ~40 ns a parameter: 8 s for
 * ConvNeXtLarge's 196M. Every float variable the forward pass reads is overwritten by
 * `fillWeights` right after, so while the model is built they return zeros of the requested
 * shape and dtype instead (tfjs allocates those lazily); the spies are removed before anything
 * runs.
 */
async function buildWithoutRandomInit(build: () => Promise<Model>): Promise<Model> {
  const spies = [initializers.VarianceScaling, initializers.RandomNormal, initializers.RandomUniform, initializers.TruncatedNormal, initializers.Orthogonal].map(
    (C) => vi.spyOn(C.prototype, 'apply').mockImplementation((shape: number[], dtype?: DataType) => ops.zeros(shape, dtype ?? 'float32')),
  );
  try {
    return await build();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/**
 * Two images that differ in content and statistics (a smooth gradient with stripes; noise around
 * a positive mean), so their outputs differ and the comparison is not of a constant. Values are
 * in about [-1.5, 1.5], or mapped to [0, 255] pixels for models that preprocess themselves.
 */
function images(size: number, pixels: boolean): Float32Array {
  const next = lcg(99);
  const out = new Float32Array(2 * size * size * 3);
  let k = 0;
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) for (let ch = 0; ch < 3; ch++) out[k++] = (i - j) / size + 0.5 * Math.sin((i * (ch + 1)) / 3);
  for (let i = 0; i < size * size * 3; i++) out[k++] = 0.5 + 1.5 * (next() - 0.5);
  if (pixels) for (let i = 0; i < out.length; i++) out[i] = 85 * (out[i]! + 1.5);
  return out;
}

function forward(model: Model, x: Tensor): { shape: number[]; values: Float32Array } {
  return tidy(() => {
    const y = model.apply(x, { training: false }) as Tensor;
    return { shape: [...y.shape], values: y.dataSync() as Float32Array };
  });
}

// Tolerance: float32 with a different summation order (XNNPACK on wasm). Differences are
// measured relative to the output's scale: |cpu - wasm| <= 1e-4 * max |cpu| (measured: at most
// 3.5e-6 relative over these cases; ResNet v1's residual sums grow to ~1e8 at depth 152, hence
// relative rather than absolute).
const REL_TOL = 1e-4;

describe('forward pass on cpu and wasm', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('finds the exported architectures in the package index', () => {
    const found = exportedArchitectures();
    // The ten architectures of the first release, listed above with their output shapes.
    for (const c of CASES) expect(found).toContain(c.fn);
    // Helpers (preprocessInput, decodePredictions, ...) and constants are not taken for one.
    for (const name of ['preprocessInput', 'decodePredictions', 'getFile', 'CLASS_INDEX_URL']) expect(found).not.toContain(name);
  });

  for (const c of allCases()) {
    it(`${c.fn}(${JSON.stringify(c.args)}) at ${c.size}x${c.size}: cpu and wasm agree`, async () => {
      clearSession();
      await setBackend('cpu');
      const before = memory().numTensors;
      const build = (applications as unknown as Record<string, Builder>)[c.fn]!;
      let size = c.size;
      let model: Model;
      try {
        model = await buildWithoutRandomInit(() => build({ weights: null, inputShape: [size, size, 3], ...c.args }));
      } catch (e) {
        const min = /Input size must be at least (\d+)x\d+/.exec((e as Error).message);
        if (min == null || c.shape.length > 0) throw e;
        size = Number(min[1]);
        model = await buildWithoutRandomInit(() => build({ weights: null, inputShape: [size, size, 3], ...c.args }));
      }
      try {
        fillWeights(model, 1234, c.offsetScale ?? 1);
        const x = tensor(images(size, c.pixels ?? false), [2, size, size, 3]);
        const onCpu = forward(model, x);
        await setBackend('wasm');
        expect(getBackend()).toBe('wasm');
        const onWasm = forward(model, x);
        x.dispose();
        await setBackend('cpu');

        if (c.shape.length > 0) expect(onCpu.shape).toEqual(c.shape);
        expect(onWasm.shape).toEqual(onCpu.shape);
        let scale = 0;
        let maxDiff = 0;
        for (let i = 0; i < onCpu.values.length; i++) {
          expect(Number.isFinite(onCpu.values[i]!)).toBe(true);
          scale = Math.max(scale, Math.abs(onCpu.values[i]!));
          maxDiff = Math.max(maxDiff, Math.abs(onCpu.values[i]! - onWasm.values[i]!));
        }
        expect(scale).toBeGreaterThan(1e-3);
        expect(maxDiff).toBeLessThanOrEqual(REL_TOL * scale);
        // The two samples differ, so the comparison is not of a constant output.
        const half = onCpu.values.length / 2;
        let spread = 0;
        for (let i = 0; i < half; i++) spread = Math.max(spread, Math.abs(onCpu.values[i]! - onCpu.values[half + i]!));
        expect(spread).toBeGreaterThan(100 * REL_TOL * scale);
      } finally {
        await setBackend('cpu');
        model.dispose();
      }
      expect(memory().numTensors).toBe(before);
    }, 240_000);
  }
});
