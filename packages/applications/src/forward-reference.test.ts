import { clearSession } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet50 } from './resnet';
import { expectForwardMatches, perturbStatistics, testImage } from './testing/architecture-checks';
import { type Img, add, batchNorm as bn, depthwise, conv as conv2d, dense, gap, pad, pool, relu, relu6, softmax } from './testing/float64';

// A float64 re-implementation of the two architectures, written from Keras' source
// (mobilenet_v2.py, resnet.py) with plain JS numbers. It looks weights up by Keras layer name
// but wires the blocks itself, so a wrong connection in the model (residual Add, shortcut,
// padding) shows up as a numeric difference.

const conv = (x: Img, kernel: number[], k: number, f: number, s: number, same: boolean, bias?: number[]) => conv2d(x, kernel, k, k, f, s, same, bias);

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
    z = relu6(bn(depthwise(z, W.get(`${p}depthwise`)![0]!, 3, s, s === 1), W.get(`${p}depthwise_BN`)!, eps));
    z = bn(conv(z, W.get(`${p}project`)![0]!, 1, cout, 1, true), W.get(`${p}project_BN`)!, eps);
    y = s === 1 && input.c === cout ? add(input, z) : z;
  });
  y = relu6(bn(conv(y, W.get('Conv_1')![0]!, 1, 1280, 1, true), W.get('Conv_1_bn')!, eps));
  const [k, b] = W.get('predictions')!;
  return dense(gap(y), k!, b!); // logits: the model is built with classifierActivation null
}

function resnet50Reference(W: Map<string, number[][]>, x: Img): number[] {
  const eps = 1.001e-5;
  const c = (name: string, inp: Img, k: number, f: number, s: number, same: boolean) => {
    const [kernel, bias] = W.get(name)!;
    return conv(inp, kernel!, k, f, s, same, bias);
  };
  let y = c('conv1_conv', pad(x, 3, 3, 3, 3), 7, 64, 2, false);
  y = relu(bn(y, W.get('conv1_bn')!, eps));
  y = pool(pad(y, 1, 1, 1, 1), 3, 2, 'max');
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
  return softmax(dense(gap(y), k!, bias!));
}

describe('forward pass against a float64 reference of the architecture', () => {
  it('MobileNetV2 alpha 0.35 at 35x35 (odd sizes exercise correct_pad), 5 classes, logits', async () => {
    clearSession();
    const m = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [35, 35, 3], classes: 5, classifierActivation: null });
    perturbStatistics(m);
    const input = testImage(35, 35);
    expectForwardMatches(m, input, (W, img) => mobilenetV2Reference(W, img, 0.35), { atol: 1e-5, rtol: 1e-4 });
    expect(m.outputs[0]!.shape).toEqual([null, 5]);
    input.t.dispose();
    m.dispose();
  });

  it('ResNet50 at 32x32, 4 classes', async () => {
    clearSession();
    const m = await ResNet50({ weights: null, inputShape: [32, 32, 3], classes: 4 });
    perturbStatistics(m);
    const input = testImage(32, 32);
    expectForwardMatches(m, input, resnet50Reference, { atol: 1e-5, rtol: 1e-4 });
    input.t.dispose();
    m.dispose();
  });
});
