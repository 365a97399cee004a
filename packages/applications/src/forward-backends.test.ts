// Every exported architecture runs a forward pass at a small input on the cpu and on the wasm
// backend, with the same deterministic weights, and both backends agree.
import '@strata/backend-wasm';
import { type Tensor, getBackend, memory, setBackend, tensor, tidy } from '@strata/core';
import { clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    .map((fn): Case => ({ fn, args: { includeTop: false, pooling: 'avg' }, size: MIN_SIZE[fn] ?? DEFAULT_SIZE, shape: [] }));
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

/**
 * Deterministic weights of a sane scale for deep nets: kernels uniform with variance 2/fan_in
 * (He, for ReLU), BN gamma in [0.8, 1.2], small beta and moving mean, moving variance in
 * [0.5, 1.5], so the activations neither vanish nor overflow through 150 layers.
 */
function fillWeights(model: Model, seed: number): void {
  const next = lcg(seed);
  const depthwise = new Set(model.layers.filter((l) => l.className === 'DepthwiseConv2D').flatMap((l) => l.weights));
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const path = v.path;
    const fanIn = v.shape.length > 1 ? v.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    const data = new Float32Array(n);
    if (path.endsWith('gamma')) for (let i = 0; i < n; i++) data[i] = 0.8 + 0.4 * next();
    else if (path.endsWith('moving_variance')) for (let i = 0; i < n; i++) data[i] = 0.5 + next();
    else if (path.endsWith('beta') || path.endsWith('moving_mean') || path.endsWith('bias')) for (let i = 0; i < n; i++) data[i] = 0.2 * (next() - 0.5);
    else {
      // Depthwise kernels (kh, kw, c, 1) sum over kh*kw only.
      const fan = depthwise.has(v) ? v.shape[0]! * v.shape[1]! : fanIn;
      const a = Math.sqrt(6 / fan);
      for (let i = 0; i < n; i++) data[i] = a * (2 * next() - 1);
    }
    tidy(() => v.assign(tensor(data, v.shape)));
  }
}

/**
 * Two images that differ in content and statistics (a smooth gradient with stripes; noise around
 * a positive mean), so their outputs differ and the comparison is not of a constant.
 */
function images(size: number): Float32Array {
  const next = lcg(99);
  const out = new Float32Array(2 * size * size * 3);
  let k = 0;
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) for (let ch = 0; ch < 3; ch++) out[k++] = (i - j) / size + 0.5 * Math.sin((i * (ch + 1)) / 3);
  for (let i = 0; i < size * size * 3; i++) out[k++] = 0.5 + 1.5 * (next() - 0.5);
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
        model = await build({ weights: null, inputShape: [size, size, 3], ...c.args });
      } catch (e) {
        const min = /Input size must be at least (\d+)x\d+/.exec((e as Error).message);
        if (min == null || c.shape.length > 0) throw e;
        size = Number(min[1]);
        model = await build({ weights: null, inputShape: [size, size, 3], ...c.args });
      }
      try {
        fillWeights(model, 1234);
        const x = tensor(images(size), [2, size, size, 3]);
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
