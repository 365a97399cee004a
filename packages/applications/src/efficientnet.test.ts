import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { writeKerasWeights, writeLegacyWeights } from '@strata/io';
import { Input, clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3, preprocessInput, roundFilters, roundRepeats } from './efficientnet';
import { B0_STAGES, PUBLISHED, VARIANTS, efficientnetReference, expectEfficientNetVariant, filtersOf } from './efficientnet-reference';
import {
  type ServedFiles,
  expectHeadlessVariants,
  expectRejections,
  expectArchitecture,
  layerRows,
  paramCounts,
  resetServed,
  perturbStatistics,
  testImage,
  useTempCache,
  weightBytes,
  weightsByName,
} from './testing/architecture-checks';
import { type Img, add, batchNorm, conv, correctPad, dense, depthwise, gap, map, samePad, sigmoid } from './testing/float64';

// 'imagenet' weights: Keras' files cannot be fetched here, so getFile hands out a file written by
// the test (recording what was asked for) when `served.bytes` is set.
const served = vi.hoisted((): ServedFiles => ({ bytes: null, calls: [] }));
vi.mock('./weights', async (importOriginal) => {
  const { servingGetFile } = await import('./testing/architecture-checks');
  return servingGetFile(await importOriginal<typeof import('./weights')>(), served);
});

/** B0's first stage alone: a small model whose file does not fit B0. */
const B0_ARGS_FIRST = { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, idSkip: true, strides: 1, seRatio: 0.25 };

// ---- float64 forward reference of EfficientNet-B0 (from Keras' efficientnet.py) ------------------

const bn = (x: Img, w: number[][]) => batchNorm(x, w, 1e-3);
const swish = (x: Img) => map(x, (v) => v * sigmoid(v));
const cv = (x: Img, kernel: number[], f: number) => conv(x, kernel, 1, 1, f, 1, false);

/** EfficientNet-B0 logits (inference: dropouts are identities); weights looked up by Keras layer name. */
function b0Reference(W: Map<string, number[][]>, img: Img, imagenet: boolean): number[] {
  const [mean, variance] = W.get('normalization')!;
  let x = map(img, (v, k) => (v / 255 - mean![k]!) / Math.sqrt(variance![k]!));
  if (imagenet) x = map(x, (v, k) => v / Math.sqrt([0.229, 0.224, 0.225][k]!));
  x = swish(bn(conv(correctPad(x, 3), W.get('stem_conv')![0]!, 3, 3, 32, 2, false), W.get('stem_bn')!));
  B0_STAGES.forEach(([k, repeats, fin0, fout, e, s0], i) => {
    for (let j = 0; j < repeats; j++) {
      const p = `block${i + 1}${'abcd'[j]}_`;
      const fin = j === 0 ? fin0 : fout;
      const s = j === 0 ? s0 : 1;
      const inp = x;
      let z = inp;
      if (e !== 1) z = swish(bn(cv(z, W.get(`${p}expand_conv`)![0]!, fin * e), W.get(`${p}expand_bn`)!));
      z = s === 2 ? correctPad(z, k) : samePad(z, k, k, 1);
      z = swish(bn(depthwise(z, W.get(`${p}dwconv`)![0]!, k, s, false), W.get(`${p}bn`)!));
      const [k1, b1] = W.get(`${p}se_reduce`)!;
      const [k2, b2] = W.get(`${p}se_expand`)!;
      const squeezed = dense(gap(z), k1!, b1!).map((v) => v * sigmoid(v));
      const excite = dense(squeezed, k2!, b2!).map(sigmoid);
      z = map(z, (v, c) => v * excite[c]!);
      z = bn(cv(z, W.get(`${p}project_conv`)![0]!, fout), W.get(`${p}project_bn`)!);
      x = s === 1 && fin === fout ? add(z, inp) : z;
    }
  });
  x = swish(bn(cv(x, W.get('top_conv')![0]!, 1280), W.get('top_bn')!));
  const [kd, bd] = W.get('predictions')!;
  return dense(gap(x), kd!, bd!);
}

/** Non-trivial BN and Normalization statistics (fresh ones are mean 0 / variance 1). */
const perturb = (model: Model) => perturbStatistics(model, ['moving_variance', 'gamma', 'normalization/variance'], ['moving_mean', 'beta', 'normalization/mean']);

const image = (h: number, n = 1) => testImage(h, h, n, (i) => 127 + 120 * Math.sin(i * 0.37));

// ---------------------------------------------------------------------------------------------------

describe('EfficientNet reference tables', () => {
  it("reproduce Keras' published totals for B0..B7 and B0's 4,049,571 without top", () => {
    for (const [v, total] of Object.entries(PUBLISHED)) expect(paramCounts(efficientnetReference(v)).total).toBe(total);
    expect(paramCounts(efficientnetReference('b0', { includeTop: false }))).toEqual({ total: 4049571, nonTrainable: 42023 });
  });

  it("roundFilters / roundRepeats are Keras' round_filters / round_repeats", () => {
    // B2: 32 * 1.1 = 35.2 -> 32; 1280 * 1.1 = 1408; B4: 320 * 1.4 = 448; B7: 112 * 2 = 224; 40 * 1.8 = 72 (B6).
    expect([roundFilters(32, 1.1), roundFilters(1280, 1.1), roundFilters(320, 1.4), roundFilters(112, 2.0), roundFilters(40, 1.8)]).toEqual([32, 1408, 448, 224, 72]);
    // 0.9 rule: 36 * 1 rounds to 40 (int(40)//8*8), 12 * 1.1 = 13.2 -> 16, and never below the divisor.
    expect([roundFilters(36, 1.0), roundFilters(12, 1.1), roundFilters(3, 1.0)]).toEqual([40, 16, 8]);
    expect(roundFilters(50, 1.0, 16)).toBe(48);
    expect([roundRepeats(3, 1.4), roundRepeats(2, 1.1), roundRepeats(4, 3.1), roundRepeats(1, 1.0)]).toEqual([5, 3, 13, 1]);
    for (const [w] of Object.values(VARIANTS)) for (const f of [16, 24, 32, 40, 80, 112, 192, 320, 1280]) expect(roundFilters(f, w)).toBe(filtersOf(f, w));
  });
});

describe('EfficientNetB0', () => {
  it('224 with top: every layer (name, class, output shape, weight shapes) as Keras; 5,330,571 params', async () => {
    clearSession();
    const m = await EfficientNetB0({ weights: null });
    expectArchitecture(m, { name: 'efficientnetb0', rows: efficientnetReference('b0'), params: 5330571, nonTrainable: 42023 });
    expect(m.layers.slice(0, 12).map((l) => l.name)).toEqual([
      'input_layer',
      'rescaling',
      'normalization',
      'stem_conv_pad',
      'stem_conv',
      'stem_bn',
      'stem_activation',
      'block1a_dwconv',
      'block1a_bn',
      'block1a_activation',
      'block1a_se_squeeze',
      'block1a_se_reshape',
    ]);
    expect(m.layers.slice(-8).map((l) => `${l.name}:${l.className}`)).toEqual([
      'block7a_project_conv:Conv2D',
      'block7a_project_bn:BatchNormalization',
      'top_conv:Conv2D',
      'top_bn:BatchNormalization',
      'top_activation:Activation',
      'avg_pool:GlobalAveragePooling2D',
      'top_dropout:Dropout',
      'predictions:Dense',
    ]);
    expect(m.layers.length).toBe(240);
    // Keras' settings of the layers it configures.
    expect(m.getLayer('stem_conv').getConfig().kernel_initializer).toMatchObject({
      class_name: 'VarianceScaling',
      config: { scale: 2.0, mode: 'fan_out', distribution: 'truncated_normal' },
    });
    expect(m.getLayer('block2a_dwconv').getConfig().depthwise_initializer).toMatchObject({ config: { scale: 2.0, mode: 'fan_out' } });
    expect(m.getLayer('predictions').getConfig().kernel_initializer).toMatchObject({
      class_name: 'VarianceScaling',
      config: { scale: 1 / 3, mode: 'fan_out', distribution: 'uniform' },
    });
    expect(m.getLayer('stem_bn').getConfig()).toMatchObject({ axis: 3, momentum: 0.99, epsilon: 1e-3 });
    expect(m.getLayer('block2b_drop').getConfig()).toMatchObject({ rate: 0.2 * (2 / 16), noise_shape: [null, 1, 1, 1] });
    expect(m.getLayer('block7a_activation').getConfig().activation).toMatch(/^(swish|silu)$/);
    expect(m.getLayer('block1a_se_reduce').getConfig().activation).toMatch(/^(swish|silu)$/);
    expect(m.getLayer('block1a_se_expand').getConfig().activation).toBe('sigmoid');
    expect(m.getLayer('top_dropout').getConfig().rate).toBe(0.2);
    expect(m.getLayer('rescaling').getConfig()).toMatchObject({ scale: 1 / 255, offset: 0 });
    expect(m.getLayer('normalization').getConfig().axis).toEqual([3]);
    m.dispose();
  });

  it('without top: 4,049,571 params; pooling avg / max; unknown size', async () => {
    await expectHeadlessVariants(
      (o) => EfficientNetB0({ weights: null, includeTop: false, ...o }),
      (size, pooling) => efficientnetReference('b0', { includeTop: false, size, pooling }),
      { params: 4049571, channels: 1280, size: 33 },
    );
  });

  it('forward pass at 33x33 matches a float64 reference of the whole network; no leak', async () => {
    clearSession();
    const m = await EfficientNetB0({ weights: null, inputShape: [33, 33, 3], classes: 6, classifierActivation: null });
    perturb(m);
    const { img, t } = image(33);
    tidy(() => m.apply(t));
    const before = memory().numTensors;
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    expect(memory().numTensors).toBe(before);
    const want = b0Reference(weightsByName(m), img, false);
    expect(got.length).toBe(6);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-3);
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    // Softmax top: finite probabilities per sample.
    clearSession();
    const soft = await EfficientNetB0({ weights: null, inputShape: [32, 32, 3], classes: 4 });
    const two = image(32, 2);
    const p = tidy(() => Array.from((soft.apply(two.t) as Tensor).dataSync()));
    expect(p.length).toBe(8);
    expectAllClose([p[0]! + p[1]! + p[2]! + p[3]!, p[4]! + p[5]! + p[6]! + p[7]!], [1, 1], { atol: 1e-5 });
    two.t.dispose();
    soft.dispose();
    t.dispose();
    m.dispose();
  });
});

describe('EfficientNetB1..B3', () => {
  it.each([
    ['b1', EfficientNetB1, 'efficientnetb1'],
    ['b2', EfficientNetB2, 'efficientnetb2'],
    ['b3', EfficientNetB3, 'efficientnetb3'],
  ] as const)('%s: every layer as Keras; published total; counts without top', async (v, fn, name) => {
    clearSession();
    const m = await fn({ weights: null });
    expectEfficientNetVariant(m, v, name);
    m.dispose();
  });
});

describe('EfficientNet: options, errors, weights', () => {
  const tmp = useTempCache('strata-effnet-', () => resetServed(served));

  it('bad arguments throw clear errors and leak nothing', async () => {
    await expectRejections([
      [() => EfficientNetB0({ classes: 10 }), /If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. Received: classes=10/],
      [() => EfficientNetB0({ weights: join(tmp.dir, 'nope.h5') }), /The `weights` argument should be either.*Received: weights=.*nope\.h5/],
      [() => EfficientNetB0({ inputShape: [64, 64, 3] }), /input_shape` should be \(224, 224, 3\)/],
      [() => EfficientNetB0({ weights: null, includeTop: false, inputShape: [16, 64, 3] }), /at least 32x32/],
      [() => EfficientNetB0({ weights: null, pooling: 'mean' as never }), /EfficientNetB0: `pooling` must be null, 'avg' or 'max'/],
      [() => EfficientNetB1({ classifierActivation: 'relu', includeTop: true }), /Only `None` and `softmax` activations are allowed/],
      [
        () => EfficientNetB0({ weights: null, blocksArgs: [{ ...B0_ARGS_FIRST, repeats: 0 }] }),
        /EfficientNetB0: blocksArgs\[0\].repeats must be positive. Received: repeats=0/,
      ],
    ]);
  });

  it('inputTensor is used as the input; custom blocksArgs / activation / dropConnectRate / depthDivisor', async () => {
    clearSession();
    const inp = Input({ shape: [40, 40, 3] });
    const m = await EfficientNetB0({
      weights: null,
      inputTensor: inp,
      includeTop: false,
      activation: 'relu',
      dropConnectRate: 0,
      depthDivisor: 16,
      blocksArgs: [
        { kernelSize: 3, repeats: 2, filtersIn: 32, filtersOut: 24, expandRatio: 2, idSkip: true, strides: 2, seRatio: 0 },
        { kernelSize: 5, repeats: 1, filtersIn: 24, filtersOut: 40, expandRatio: 3, idSkip: false, strides: 1, seRatio: 0.5 },
      ],
    });
    expect(m.inputs[0]).toBe(inp);
    const names = m.layers.map((l) => l.name);
    // No dropout at rate 0 and no squeeze-excite at se_ratio 0; widths rounded to 16.
    expect(names.some((n) => n.endsWith('_drop'))).toBe(false);
    expect(names.filter((n) => n.includes('_se_'))).toEqual(['block2a_se_squeeze', 'block2a_se_reshape', 'block2a_se_reduce', 'block2a_se_expand', 'block2a_se_excite']);
    expect(names).toContain('block1b_add');
    expect(m.getLayer('block1a_project_conv').weights[0]!.shape).toEqual([1, 1, 64, 32]); // 24 -> 32 with divisor 16
    expect(m.getLayer('block2a_se_reduce').weights[0]!.shape).toEqual([1, 1, 96, 16]); // int(32 * 0.5)
    expect(m.getLayer('stem_activation').getConfig().activation).toBe('relu');
    expect(m.outputs[0]!.shape).toEqual([null, 10, 10, 1280]);
    m.dispose();
  });

  it("weights: legacy .h5 and .weights.h5 load every value by topology (Normalization's count included)", async () => {
    clearSession();
    const src = await EfficientNetB0({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    perturb(src);
    tidy(() => src.getLayer('normalization').weights[2]!.assign(tensor(37, [], 'int32')));
    const values = weightBytes(src);
    expect(src.getLayer('normalization').weights.map((w) => [w.name, w.dtype])).toEqual([
      ['mean', 'float32'],
      ['variance', 'float32'],
      ['count', 'int32'],
    ]);
    const legacy = join(tmp.dir, 'b0.h5');
    writeFileSync(legacy, await writeLegacyWeights(src));
    const k3 = join(tmp.dir, 'b0.weights.h5');
    writeFileSync(k3, await writeKerasWeights(src));
    src.dispose();
    const before = memory().numTensors;
    for (const weights of [legacy, k3]) {
      clearSession();
      const m = await EfficientNetB0({ weights, includeTop: false, inputShape: [32, 32, 3] });
      expect(weightBytes(m)).toEqual(values);
      m.dispose();
    }
    expect(memory().numTensors).toBe(before);
  });

  it("weights 'imagenet': Keras' file, URL and md5; the extra Rescaling by 1/std; forward pass as the reference", async () => {
    // With top: the request names Keras' file; a file of the wrong topology is refused, nothing leaks.
    clearSession();
    const tiny = await EfficientNetB0({ weights: null, includeTop: false, inputShape: [32, 32, 3], blocksArgs: [B0_ARGS_FIRST] });
    served.bytes = await writeLegacyWeights(tiny);
    tiny.dispose();
    const before = memory().numTensors;
    await expect(EfficientNetB0({ classifierActivation: null })).rejects.toThrow(/efficientnetb0\.h5.*mismatch/);
    expect(memory().numTensors).toBe(before);
    expect(served.calls).toEqual([
      { fname: 'efficientnetb0.h5', origin: 'https://storage.googleapis.com/keras-applications/efficientnetb0.h5', fileHash: '902e53a9f72be733fc0bcb005b3ebbac' },
    ]);

    // Headless at a small size: the notop file and the 1/std rescaling in the numbers.
    clearSession();
    const small = await EfficientNetB0({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    perturb(small);
    served.bytes = await writeLegacyWeights(small);
    const values = weightBytes(small);
    small.dispose();
    clearSession();
    const h = await EfficientNetB0({ includeTop: false, inputShape: [32, 32, 3], pooling: 'avg' });
    expect(weightBytes(h)).toEqual(values);
    expect(layerRows(h)).toEqual(efficientnetReference('b0', { imagenet: true, includeTop: false, size: 32, pooling: 'avg' }));
    expect(h.getLayer('rescaling_1').getConfig().scale).toEqual([1 / Math.sqrt(0.229), 1 / Math.sqrt(0.224), 1 / Math.sqrt(0.225)]);
    expect(served.calls.at(-1)).toEqual({
      fname: 'efficientnetb0_notop.h5',
      origin: 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
      fileHash: '50bc09e76180e00e4465e1a485ddc09d',
    });
    const { img, t } = image(32);
    const got = tidy(() => Array.from((h.apply(t) as Tensor).dataSync()));
    // Reference: B0 up to the pooled features (a Dense of identity weights reads them out).
    const W = weightsByName(h);
    W.set('predictions', [Array.from({ length: 1280 * 1280 }, (_, i) => (Math.floor(i / 1280) === i % 1280 ? 1 : 0)), new Array(1280).fill(0)]);
    const want = b0Reference(W, img, true);
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-3 });
    t.dispose();
    h.dispose();
  }, 60000);

  it('preprocessInput is a pass-through, as Keras', () => {
    const x = tensor([0, 255], [2]);
    expect(preprocessInput(x)).toBe(x);
    x.dispose();
  });
});
