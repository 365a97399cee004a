import { join } from 'node:path';
import { type Tensor, deserializeKerasObject, memory, serializeKerasObject, tensor, tidy } from '@strata/core';
import { writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { AddOp, ConvNeXtTiny, LayerScale, StochasticDepth, imagenetFile, preprocessInput } from './convnext';
import { CONFIGS, PUBLISHED, convnextReference } from './convnext-reference';
import {
  type ServedFiles,
  expectRejections,
  layerWeightRows,
  paramCounts,
  resetServed,
  testImage,
  useTempCache,
  weightBytes,
  weightsByName,
} from './testing/architecture-checks';
import { type Img, conv, densePixels, depthwise, gap, layerNorm, map } from './testing/float64';

const served = vi.hoisted((): ServedFiles => ({ bytes: null, calls: [] }));
vi.mock('./weights', async (importOriginal) => {
  const { servingGetFile } = await import('./testing/architecture-checks');
  return servingGetFile(await importOriginal<typeof import('./weights')>(), served);
});

// ---- float64 forward reference of ConvNeXtTiny (from Keras' convnext.py) ------------------------

/** Patchify conv: kernel k, stride k, 'valid'. */
const patchConv = (x: Img, kernel: number[], bias: number[], k: number, f: number) => conv(x, kernel, k, k, f, k, false, bias);
const ln = (x: Img, w: number[][]) => layerNorm(x, w, 1e-6);
/** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(v: number): number {
  const s = Math.sign(v);
  const a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const gelu = (x: Img): Img => map(x, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));

function tinyReference(W: Map<string, number[][]>, img: Img): number[] {
  const [depths, dims] = CONFIGS.tiny!;
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  let x: Img = { ...img, d: img.d.map((v, i) => (v - mean[i % 3]! * 255) / (std[i % 3]! * 255)) };
  const [sk, sb, sg, sbeta] = W.get('convnext_tiny_stem')!;
  x = ln(patchConv(x, sk!, sb!, 4, dims[0]!), [sg!, sbeta!]);
  for (let i = 0; i < 4; i++) {
    if (i > 0) {
      const [g, b, k, bias] = W.get(`convnext_tiny_downsampling_block_${i - 1}`)!;
      x = patchConv(ln(x, [g!, b!]), k!, bias!, 2, dims[i]!);
    }
    for (let j = 0; j < depths[i]!; j++) {
      const p = `convnext_tiny_stage_${i}_block_${j}`;
      const [dk, db] = W.get(`${p}_depthwise_conv`)!;
      let z = ln(depthwise(x, dk!, 7, 1, true, db!), W.get(`${p}_layernorm`)!);
      const [k1, b1] = W.get(`${p}_pointwise_conv_1`)!;
      const [k2, b2] = W.get(`${p}_pointwise_conv_2`)!;
      z = densePixels(gelu(densePixels(z, k1!, b1!)), k2!, b2!);
      const [gamma] = W.get(`${p}_layer_scale`)!;
      const inp = x;
      x = { ...z, d: z.d.map((v, q) => inp.d[q]! + v * gamma![q % z.c]!) };
    }
  }
  const v = ln({ h: 1, w: 1, c: x.c, d: Float64Array.from(gap(x)) }, W.get('convnext_tiny_head_layernorm')!);
  const [hk, hb] = W.get('convnext_tiny_head_dense')!;
  return Array.from(densePixels(v, hk!, hb!).d);
}

/** Non-trivial values: LayerScale to O(0.5) (fresh 1e-6 would hide the blocks), norms perturbed. */
function perturb(model: Model): void {
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const p = v.path;
    const f = p.includes('layer_scale')
      ? (i: number) => 0.3 + 0.4 * Math.abs(Math.sin(i * 1.3))
      : p.endsWith('gamma')
        ? (i: number) => 0.8 + 0.4 * Math.abs(Math.cos(i * 0.7))
        : p.endsWith('beta')
          ? (i: number) => 0.1 * Math.sin(i * 0.9)
          : null;
    if (f) tidy(() => v.assign(tensor(Array.from({ length: n }, (_, i) => f(i)), v.shape)));
  }
}

// ---------------------------------------------------------------------------------------------------

describe('ConvNeXt reference tables', () => {
  it("reproduce Keras' published totals (Tiny 28,589,128 ... XLarge 350,196,968) and Tiny's 27,820,128 without top", () => {
    for (const [v, t] of Object.entries(PUBLISHED)) expect(paramCounts(convnextReference(v)).total).toBe(t);
    expect(paramCounts(convnextReference('tiny', { includeTop: false })).total).toBe(27820128);
  });
});

describe('ConvNeXtTiny', () => {
  it('224 with top: every layer (name, class, weight shapes) as Keras, nested Sequential stem / downsampling; 28,589,128 params', async () => {
    clearSession();
    const m = await ConvNeXtTiny({ weights: null });
    expect(m.name).toBe('convnext_tiny');
    expect(layerWeightRows(m)).toEqual(convnextReference('tiny'));
    expect(m.countParams()).toBe(28589128);
    expect(m.nonTrainableWeights.length).toBe(0);
    expect(m.layers.slice(0, 5).map((l) => `${l.name}:${l.className}`)).toEqual([
      'input_layer:InputLayer',
      'convnext_tiny_prestem_normalization:Normalization',
      'convnext_tiny_stem:Sequential',
      'convnext_tiny_stage_0_block_0_depthwise_conv:Conv2D',
      'convnext_tiny_stage_0_block_0_layernorm:LayerNormalization',
    ]);
    expect(m.layers.slice(-4).map((l) => l.name)).toEqual([
      'convnext_tiny_stage_3_block_2_identity',
      'convnext_tiny_head_gap',
      'convnext_tiny_head_layernorm',
      'convnext_tiny_head_dense',
    ]);
    expect(m.getLayer('convnext_tiny_stage_0_block_0_depthwise_conv').getConfig()).toMatchObject({ kernel_size: [7, 7], groups: 96, padding: 'same' });
    expect(m.getLayer('convnext_tiny_stage_0_block_0_layernorm').getConfig().epsilon).toBe(1e-6);
    expect(m.getLayer('convnext_tiny_stage_0_block_0_layer_scale').getConfig()).toMatchObject({ init_values: 1e-6, projection_dim: 96 });
    expect(Array.from(m.getLayer('convnext_tiny_stage_0_block_0_layer_scale').weights[0]!.value.dataSync().slice(0, 2))).toEqual([Math.fround(1e-6), Math.fround(1e-6)]);
    expect(m.outputs[0]!.shape).toEqual([null, 1000]);
    m.dispose();
  });

  it('without top: 27,820,128 params, a final LayerNormalization; pooling avg / max', async () => {
    for (const pooling of [null, 'avg', 'max'] as const) {
      clearSession();
      const m = await ConvNeXtTiny({ weights: null, includeTop: false, inputShape: [64, 64, 3], pooling });
      expect(layerWeightRows(m)).toEqual(convnextReference('tiny', { includeTop: false, pooling }));
      expect(m.countParams()).toBe(27820128);
      expect(m.outputs[0]!.shape).toEqual(pooling == null ? [null, 2, 2, 768] : [null, 768]);
      m.dispose();
    }
  });

  it('forward pass at 32x32 matches a float64 reference of the whole network; no leak', async () => {
    clearSession();
    const m = await ConvNeXtTiny({ weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null });
    perturb(m);
    const { img, t } = testImage(32, 32, 1, (i) => 127 + 120 * Math.sin(i * 0.37));
    tidy(() => m.apply(t));
    const before = memory().numTensors;
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    expect(memory().numTensors).toBe(before);
    const want = tinyReference(weightsByName(m), img);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-2);
    expectAllClose(got, want, { atol: 2e-4, rtol: 2e-3 });
    t.dispose();
    m.dispose();
  });

  it('includePreprocessing false: no Normalization layer', async () => {
    clearSession();
    const m = await ConvNeXtTiny({ weights: null, includePreprocessing: false, includeTop: false, inputShape: [32, 32, 3] });
    expect(layerWeightRows(m)).toEqual(convnextReference('tiny', { includeTop: false, preprocessing: false }));
    m.dispose();
  });
});

describe('ConvNeXt: custom layers, options, errors, weights', () => {
  const tmp = useTempCache('strata-convnext-', () => resetServed(served));

  it('LayerScale: x * gamma (init_values), config round trip, registration, bad input', () => {
    const ls = new LayerScale({ initValues: 0.5, projectionDim: 3 });
    const before = memory().numTensors;
    const x = tensor([1, 2, 3, -4, 5, 6], [2, 3]);
    const y = tidy(() => ls.apply(x) as Tensor);
    expectAllClose(Array.from(y.dataSync()), [0.5, 1, 1.5, -2, 2.5, 3], { atol: 1e-7 });
    x.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before + 1); // gamma
    const cfg = ls.getConfig();
    expect(cfg).toMatchObject({ init_values: 0.5, projection_dim: 3 });
    expect(LayerScale.fromConfig(cfg).getConfig()).toEqual(cfg);
    expect(deserializeKerasObject<LayerScale>('layer', serializeKerasObject(ls))).toBeInstanceOf(LayerScale);
    expect(() => new LayerScale({ initValues: 0.1, projectionDim: 0 })).toThrow(/LayerScale: `projection_dim` must be a positive integer. Received: projection_dim=0/);
    expect(() => new LayerScale({ initValues: 0.1, projectionDim: 4 }).apply(Input({ shape: [3] }))).toThrow(/has 3 channels but projection_dim is 4/);
    ls.dispose();
  });

  it('StochasticDepth: identity at inference; per-sample 0 or x / keep in training (mean kept); config', () => {
    const sd = new StochasticDepth({ dropPathRate: 0.25 });
    const before = memory().numTensors;
    const x = tensor(Array.from({ length: 400 * 3 }, () => 2), [400, 3]);
    // Inference returns the input itself, as Keras' `return x`.
    const inf = tidy(() => sd.apply(x) as Tensor);
    expect(Array.from(inf.dataSync()).every((v) => v === 2)).toBe(true);
    const tr = tidy(() => sd.apply(x, { training: true }) as Tensor);
    const v = Array.from(tr.dataSync());
    tr.dispose();
    x.dispose();
    expect(memory().numTensors).toBe(before);
    // Each sample's row is all 0 or all 2 / 0.75.
    for (let s = 0; s < 400; s++) {
      const row = v.slice(3 * s, 3 * s + 3);
      expect(row.every((e) => e === 0) || row.every((e) => Math.abs(e - 2 / 0.75) < 1e-6)).toBe(true);
    }
    const kept = v.filter((e, i) => i % 3 === 0 && e !== 0).length / 400;
    expect(kept).toBeGreaterThan(0.6);
    expect(kept).toBeLessThan(0.9);
    expect(sd.getConfig().drop_path_rate).toBe(0.25);
    expect(StochasticDepth.fromConfig(sd.getConfig()).getConfig()).toEqual(sd.getConfig());
    expect(deserializeKerasObject<StochasticDepth>('layer', serializeKerasObject(sd))).toBeInstanceOf(StochasticDepth);
    expect(() => new StochasticDepth({ dropPathRate: 1.5 })).toThrow(/StochasticDepth: `drop_path_rate` must be in \[0, 1\). Received: drop_path_rate=1.5/);
  });

  it('the residual adds are graph nodes hidden from model.layers', async () => {
    clearSession();
    const m = await ConvNeXtTiny({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    expect(m.layers.some((l) => l instanceof AddOp)).toBe(false);
    expect((m.getConfig().layers as { class_name: string }[]).filter((l) => l.class_name === 'AddOp').length).toBe(18);
    m.dispose();
  });

  it('bad arguments throw clear errors and leak nothing', async () => {
    await expectRejections([
      [() => ConvNeXtTiny({ classes: 10 }), /`classes` should be 1000. Received classes=10/],
      [() => ConvNeXtTiny({ weights: join(tmp.dir, 'none.h5') }), /The `weights` argument should be either.*none\.h5/],
      [() => ConvNeXtTiny({ inputShape: [64, 64, 3] }), /input_shape` should be \(224, 224, 3\)/],
      [() => ConvNeXtTiny({ weights: null, pooling: 'x' as never }), /ConvNeXtTiny: `pooling` must be null, 'avg' or 'max'/],
      [() => ConvNeXtTiny({ classifierActivation: 'relu' }), /Only `None` and `softmax` activations are allowed/],
    ]);
  });

  it("weights: Keras' files (sha256), a legacy .h5 by topology through the nested Sequential blocks", async () => {
    expect(imagenetFile('convnext_tiny', 'convnext_tiny', false)).toEqual({
      fname: 'convnext_tiny_notop.h5',
      origin: 'https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_tiny_notop.h5',
      fileHash: 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1',
    });
    clearSession();
    const src = await ConvNeXtTiny({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    perturb(src);
    const values = weightBytes(src);
    served.bytes = await writeLegacyWeights(src);
    src.dispose();
    clearSession();
    const m = await ConvNeXtTiny({ includeTop: false, inputShape: [32, 32, 3] });
    expect(served.calls).toEqual([
      {
        fname: 'convnext_tiny_notop.h5',
        origin: 'https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_tiny_notop.h5',
        fileHash: 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1',
      },
    ]);
    expect(weightBytes(m)).toEqual(values);
    m.dispose();
  }, 60000);

  it('preprocessInput is a pass-through, as Keras', () => {
    const x = tensor([0, 255], [2]);
    expect(preprocessInput(x)).toBe(x);
    x.dispose();
  });
});
