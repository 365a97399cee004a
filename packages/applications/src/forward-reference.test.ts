import { type Tensor, tensor, tidy } from '@strata/core';
import { clearSession } from '@strata/layers';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet50 } from './resnet';

// A float64 re-implementation of the two architectures, written from Keras' source
// (mobilenet_v2.py, resnet.py) with plain JS numbers. It looks weights up by Keras layer name
// but wires the blocks itself, so a wrong connection in the model (residual Add, shortcut,
// padding) shows up as a numeric difference.

interface Img {
  h: number;
  w: number;
  c: number;
  d: Float64Array; // NHWC, batch 1
}

const at = (x: Img, i: number, j: number, k: number) => x.d[(i * x.w + j) * x.c + k]!;

function pad(x: Img, top: number, bottom: number, left: number, right: number): Img {
  const h = x.h + top + bottom;
  const w = x.w + left + right;
  const d = new Float64Array(h * w * x.c);
  for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) for (let k = 0; k < x.c; k++) d[((i + top) * w + j + left) * x.c + k] = at(x, i, j, k);
  return { h, w, c: x.c, d };
}

/** TF 'same' padding: extra pixel bottom/right. */
function samePad(x: Img, k: number, s: number): Img {
  const oh = Math.ceil(x.h / s);
  const ow = Math.ceil(x.w / s);
  const ph = Math.max((oh - 1) * s + k - x.h, 0);
  const pw = Math.max((ow - 1) * s + k - x.w, 0);
  return pad(x, Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2));
}

function conv(x: Img, kernel: number[], k: number, f: number, s: number, same: boolean, bias?: number[]): Img {
  const p = same ? samePad(x, k, s) : x;
  const h = Math.floor((p.h - k) / s) + 1;
  const w = Math.floor((p.w - k) / s) + 1;
  const d = new Float64Array(h * w * f);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let o = 0; o < f; o++) {
        let acc = bias ? bias[o]! : 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < p.c; c++) acc += at(p, i * s + a, j * s + b, c) * kernel[((a * k + b) * p.c + c) * f + o]!;
        d[(i * w + j) * f + o] = acc;
      }
  return { h, w, c: f, d };
}

function depthwise(x: Img, kernel: number[], s: number, same: boolean): Img {
  const p = same ? samePad(x, 3, s) : x;
  const h = Math.floor((p.h - 3) / s) + 1;
  const w = Math.floor((p.w - 3) / s) + 1;
  const d = new Float64Array(h * w * p.c);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < p.c; c++) {
        let acc = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) acc += at(p, i * s + a, j * s + b, c) * kernel[(a * 3 + b) * p.c + c]!;
        d[(i * w + j) * p.c + c] = acc;
      }
  return { h, w, c: p.c, d };
}

function map(x: Img, fn: (v: number, k: number) => number): Img {
  return { ...x, d: x.d.map((v, i) => fn(v, i % x.c)) };
}
const bn = (x: Img, [g, b, m, v]: number[][], eps: number) => map(x, (y, k) => ((y - m![k]!) / Math.sqrt(v![k]! + eps)) * g![k]! + b![k]!);
const relu6 = (x: Img) => map(x, (v) => Math.min(Math.max(v, 0), 6));
const relu = (x: Img) => map(x, (v) => Math.max(v, 0));
const add = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });

function maxPool3s2(x: Img): Img {
  const h = Math.floor((x.h - 3) / 2) + 1;
  const w = Math.floor((x.w - 3) / 2) + 1;
  const d = new Float64Array(h * w * x.c).fill(-Infinity);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let c = 0; c < x.c; c++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) d[(i * w + j) * x.c + c] = Math.max(d[(i * w + j) * x.c + c]!, at(x, i * 2 + a, j * 2 + b, c));
  return { h, w, c: x.c, d };
}

function gapDense(x: Img, kernel: number[], bias: number[], units: number, softmax = true): number[] {
  const mean = new Array(x.c).fill(0);
  for (let p = 0; p < x.h * x.w; p++) for (let c = 0; c < x.c; c++) mean[c] += x.d[p * x.c + c]! / (x.h * x.w);
  const z = Array.from({ length: units }, (_, o) => bias[o]! + mean.reduce((s, m, c) => s + m * kernel[c * units + o]!, 0));
  if (!softmax) return z;
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Every weight of every layer as plain numbers, by layer name. */
function weightsOf(model: Model): Map<string, number[][]> {
  return new Map(model.layers.map((l) => [l.name, l.weights.map((v) => Array.from(v.value.dataSync()))]));
}

/** Non-trivial BN statistics (fresh ones are mean 0 / variance 1). */
function perturb(model: Model): void {
  for (const v of model.weights) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const f = v.path.endsWith('moving_variance') || v.path.endsWith('gamma') ? (i: number) => 0.6 + 0.8 * Math.abs(Math.sin(i * 1.7)) : v.path.endsWith('moving_mean') || v.path.endsWith('beta') ? (i: number) => 0.2 * Math.cos(i * 0.9) : null;
    if (f) tidy(() => v.assign(tensor(Array.from({ length: n }, (_, i) => f(i)), v.shape)));
  }
}

function mobilenetV2Reference(W: Map<string, number[][]>, x: Img, alpha: number): number[] {
  const md = (v: number) => {
    const r = Math.max(8, 8 * Math.floor((v + 4) / 8));
    return r < 0.9 * v ? r + 8 : r;
  };
  const eps = 1e-3;
  let y = conv(x, W.get('Conv1')![0]!, 3, md(32 * alpha), 2, true);
  y = relu6(bn(y, W.get('bn_Conv1')!, eps));
  const plan: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
    [32, 1, 6],
    [64, 2, 6],
    [64, 1, 6],
    [64, 1, 6],
    [64, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [160, 2, 6],
    [160, 1, 6],
    [160, 1, 6],
    [320, 1, 6],
  ];
  plan.forEach(([f, s, t], id) => {
    const p = id === 0 ? 'expanded_conv_' : `block_${id}_`;
    const input = y;
    const cout = md(Math.floor(f * alpha));
    let z = input;
    if (id > 0) z = relu6(bn(conv(z, W.get(`${p}expand`)![0]!, 1, input.c * t, 1, true), W.get(`${p}expand_BN`)!, eps));
    if (s === 2) z = pad(z, z.h % 2 === 0 ? 0 : 1, 1, z.w % 2 === 0 ? 0 : 1, 1);
    z = relu6(bn(depthwise(z, W.get(`${p}depthwise`)![0]!, s, s === 1), W.get(`${p}depthwise_BN`)!, eps));
    z = bn(conv(z, W.get(`${p}project`)![0]!, 1, cout, 1, true), W.get(`${p}project_BN`)!, eps);
    y = s === 1 && input.c === cout ? add(input, z) : z;
  });
  y = relu6(bn(conv(y, W.get('Conv_1')![0]!, 1, 1280, 1, true), W.get('Conv_1_bn')!, eps));
  const [k, b] = W.get('predictions')!;
  return gapDense(y, k!, b!, b!.length, false); // logits: the model is built with classifierActivation null
}

function resnet50Reference(W: Map<string, number[][]>, x: Img): number[] {
  const eps = 1.001e-5;
  const c = (name: string, inp: Img, k: number, f: number, s: number, same: boolean) => {
    const [kernel, bias] = W.get(name)!;
    return conv(inp, kernel!, k, f, s, same, bias);
  };
  let y = c('conv1_conv', pad(x, 3, 3, 3, 3), 7, 64, 2, false);
  y = relu(bn(y, W.get('conv1_bn')!, eps));
  y = maxPool3s2(pad(y, 1, 1, 1, 1));
  const stacks: [string, number, number, number][] = [
    ['conv2', 64, 3, 1],
    ['conv3', 128, 4, 2],
    ['conv4', 256, 6, 2],
    ['conv5', 512, 3, 2],
  ];
  for (const [name, f, blocks, stride1] of stacks) {
    for (let b = 1; b <= blocks; b++) {
      const p = `${name}_block${b}`;
      const s = b === 1 ? stride1 : 1;
      const shortcut = b === 1 ? bn(c(`${p}_0_conv`, y, 1, 4 * f, s, true), W.get(`${p}_0_bn`)!, eps) : y;
      let z = relu(bn(c(`${p}_1_conv`, y, 1, f, s, true), W.get(`${p}_1_bn`)!, eps));
      z = relu(bn(c(`${p}_2_conv`, z, 3, f, 1, true), W.get(`${p}_2_bn`)!, eps));
      z = bn(c(`${p}_3_conv`, z, 1, 4 * f, 1, true), W.get(`${p}_3_bn`)!, eps);
      y = relu(add(shortcut, z));
    }
  }
  const [k, bias] = W.get('predictions')!;
  return gapDense(y, k!, bias!, bias!.length);
}

function image(h: number, w: number): { img: Img; t: Tensor } {
  const data = Array.from({ length: h * w * 3 }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 0.11));
  const f32 = Float64Array.from(Float32Array.from(data));
  return { img: { h, w, c: 3, d: f32 }, t: tensor(data, [1, h, w, 3]) };
}

describe('forward pass against a float64 reference of the architecture', () => {
  it('MobileNetV2 alpha 0.35 at 35x35 (odd sizes exercise correct_pad), 5 classes, logits', async () => {
    clearSession();
    const m = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [35, 35, 3], classes: 5, classifierActivation: null });
    perturb(m);
    const { img, t } = image(35, 35);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const want = mobilenetV2Reference(weightsOf(m), img, 0.35);
    expect(got.length).toBe(5);
    expectAllClose(got, want, { atol: 1e-5, rtol: 1e-4 });
    t.dispose();
    m.dispose();
  });

  it('ResNet50 at 32x32, 4 classes', async () => {
    clearSession();
    const m = await ResNet50({ weights: null, inputShape: [32, 32, 3], classes: 4 });
    perturb(m);
    const { img, t } = image(32, 32);
    const got = tidy(() => Array.from((m.apply(t) as Tensor).dataSync()));
    const want = resnet50Reference(weightsOf(m), img);
    expectAllClose(got, want, { atol: 1e-5, rtol: 1e-4 });
    t.dispose();
    m.dispose();
  });
});
