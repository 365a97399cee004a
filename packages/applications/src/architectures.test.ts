import { readFileSync } from 'node:fs';
import { memory, ops, tensor, tidy } from '@strata/core';
import { Input, clearSession } from '@strata/layers';
import { describe, expect, it } from 'vitest';
import { MobileNet } from './mobilenet';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet50, ResNet50V2, ResNet101, ResNet101V2, ResNet152, ResNet152V2 } from './resnet';
import { type Row, layerWeightRows, nonTrainableCount, paramCounts } from './testing/architecture-checks';
import { VGG16, VGG19 } from './vgg';

type RefLayer = Omit<Row, 'out'>;
function reference(file: string): RefLayer[] {
  return JSON.parse(readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8')).layers;
}
// Auto-named layers carry a per-session counter (input_layer_3); Keras' lists are from a fresh session.
function stripCounter(layers: RefLayer[]): RefLayer[] {
  return layers.map((l) => ({ ...l, name: l.name.replace(/^(input_layer|global_average_pooling2d|global_max_pooling2d|max_pooling2d)(_\d+)?$/, '$1') }));
}

// ---- Independent references written from the papers' tables and Keras' published numbers ----

/** Keras' rounding rule for MobileNet channel counts, restated: nearest multiple of 8, never below 90%. */
function roundTo8(v: number): number {
  const r = Math.max(8, 8 * Math.floor((v + 4) / 8));
  return r < 0.9 * v ? r + 8 : r;
}

/** MobileNetV2 `model.layers` (name, class, shapes) from the paper's table (t, c, n, s) and Keras' naming. */
function mobilenetV2Reference(alpha: number, classes: number, includeTop: boolean): RefLayer[] {
  const bnShapes = (c: number) => [[c], [c], [c], [c]];
  const out: RefLayer[] = [{ name: 'input_layer', className: 'InputLayer', shapes: [] }];
  const stem = roundTo8(32 * alpha);
  out.push({ name: 'Conv1', className: 'Conv2D', shapes: [[3, 3, 3, stem]] });
  out.push({ name: 'bn_Conv1', className: 'BatchNormalization', shapes: bnShapes(stem) });
  out.push({ name: 'Conv1_relu', className: 'ReLU', shapes: [] });
  const table: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let cin = stem;
  let id = 0;
  for (const [t, c, n, s] of table) {
    for (let i = 0; i < n; i++, id++) {
      const stride = i === 0 ? s : 1;
      const cout = roundTo8(Math.floor(c * alpha));
      const p = id === 0 ? 'expanded_conv_' : `block_${id}_`;
      const mid = cin * t;
      if (id > 0) {
        out.push({ name: `${p}expand`, className: 'Conv2D', shapes: [[1, 1, cin, mid]] });
        out.push({ name: `${p}expand_BN`, className: 'BatchNormalization', shapes: bnShapes(mid) });
        out.push({ name: `${p}expand_relu`, className: 'ReLU', shapes: [] });
      }
      if (stride === 2) out.push({ name: `${p}pad`, className: 'ZeroPadding2D', shapes: [] });
      out.push({ name: `${p}depthwise`, className: 'DepthwiseConv2D', shapes: [[3, 3, mid, 1]] });
      out.push({ name: `${p}depthwise_BN`, className: 'BatchNormalization', shapes: bnShapes(mid) });
      out.push({ name: `${p}depthwise_relu`, className: 'ReLU', shapes: [] });
      out.push({ name: `${p}project`, className: 'Conv2D', shapes: [[1, 1, mid, cout]] });
      out.push({ name: `${p}project_BN`, className: 'BatchNormalization', shapes: bnShapes(cout) });
      if (stride === 1 && cin === cout) out.push({ name: `${p}add`, className: 'Add', shapes: [] });
      cin = cout;
    }
  }
  const last = alpha > 1 ? roundTo8(1280 * alpha) : 1280;
  out.push({ name: 'Conv_1', className: 'Conv2D', shapes: [[1, 1, cin, last]] });
  out.push({ name: 'Conv_1_bn', className: 'BatchNormalization', shapes: bnShapes(last) });
  out.push({ name: 'out_relu', className: 'ReLU', shapes: [] });
  if (includeTop) {
    out.push({ name: 'global_average_pooling2d', className: 'GlobalAveragePooling2D', shapes: [] });
    out.push({ name: 'predictions', className: 'Dense', shapes: [[last, classes], [classes]] });
  }
  return out;
}

/** ResNet parameter counts from the bottleneck design (v1: post-activation, biased convs; v2: pre-activation). */
function resnetParams(depths: number[], v2: boolean, top: boolean): { total: number; nonTrainable: number } {
  let total = 7 * 7 * 3 * 64 + 64;
  let nt = 0;
  const bn = (c: number) => {
    total += 4 * c;
    nt += 2 * c;
  };
  if (!v2) bn(64);
  let cin = 64;
  [64, 128, 256, 512].forEach((f, s) => {
    for (let b = 0; b < depths[s]!; b++) {
      if (v2) {
        bn(cin);
        if (b === 0) total += cin * 4 * f + 4 * f;
        total += cin * f;
        bn(f);
        total += 9 * f * f;
        bn(f);
        total += f * 4 * f + 4 * f;
      } else {
        if (b === 0) {
          total += cin * 4 * f + 4 * f;
          bn(4 * f);
        }
        total += cin * f + f;
        bn(f);
        total += 9 * f * f + f;
        bn(f);
        total += f * 4 * f + 4 * f;
        bn(4 * f);
      }
      cin = 4 * f;
    }
  });
  if (v2) bn(2048);
  if (top) total += 2048 * 1000 + 1000;
  return { total, nonTrainable: nt };
}

describe('VGG16 / VGG19', () => {
  it('VGG16 without top: Keras layers, 14,714,688 params, output (None, None, None, 512); top params 138,357,544', async () => {
    clearSession();
    const m = await VGG16({ weights: null, includeTop: false });
    expect(stripCounter(layerWeightRows(m))).toEqual(reference('vgg16-layers.json').slice(0, 19));
    expect(m.name).toBe('vgg16');
    expect(m.countParams()).toBe(14714688);
    expect(nonTrainableCount(m)).toBe(0);
    expect(m.outputs[0]!.shape).toEqual([null, null, null, 512]);
    // The reference top layers (fc1/fc2/predictions) bring the total to Keras' 138,357,544.
    const topRef = reference('vgg16-layers.json').slice(19);
    expect(14714688 + paramCounts(topRef).total).toBe(138357544);
    m.dispose();
  });

  it('VGG16 with top at 32x32, 10 classes: flatten/fc1/fc2/predictions as Keras', async () => {
    clearSession();
    const m = await VGG16({ weights: null, inputShape: [32, 32, 3], classes: 10, classifierActivation: null });
    const top = layerWeightRows(m).slice(19);
    expect(top).toEqual([
      { name: 'flatten', className: 'Flatten', shapes: [] },
      { name: 'fc1', className: 'Dense', shapes: [[512, 4096], [4096]] },
      { name: 'fc2', className: 'Dense', shapes: [[4096, 4096], [4096]] },
      { name: 'predictions', className: 'Dense', shapes: [[4096, 10], [10]] },
    ]);
    expect(m.outputs[0]!.shape).toEqual([null, 10]);
    m.dispose();
  });

  it('VGG19 without top: 20,024,384 params, block3-5 with 4 convs', async () => {
    clearSession();
    const m = await VGG19({ weights: null, includeTop: false, inputShape: [32, 32, 3], pooling: 'max' });
    expect(m.name).toBe('vgg19');
    expect(m.countParams()).toBe(20024384);
    expect(m.layers.length).toBe(23);
    expect(m.layers.map((l) => l.name).filter((n) => n.startsWith('block5'))).toEqual(['block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_conv4', 'block5_pool']);
    expect(m.layers[22]!.className).toBe('GlobalMaxPooling2D');
    expect(m.outputs[0]!.shape).toEqual([null, 512]);
    // 143,667,240 with the top (Keras docs): notop + the 3 dense layers.
    expect(20024384 + 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000).toBe(143667240);
    m.dispose();
  });
});

describe('ResNet', () => {
  it('reference formula reproduces Keras published ResNet50 counts', () => {
    expect(resnetParams([3, 4, 6, 3], false, true)).toEqual({ total: 25636712, nonTrainable: 53120 });
    expect(resnetParams([3, 4, 6, 3], false, false)).toEqual({ total: 23587712, nonTrainable: 53120 });
  });

  it('ResNet50: Appendix C layers, 25,636,712 params (53,120 non-trainable)', async () => {
    clearSession();
    const m = await ResNet50({ weights: null });
    expect(stripCounter(layerWeightRows(m))).toEqual(reference('resnet50-layers.json'));
    expect(m.name).toBe('resnet50');
    expect(m.countParams()).toBe(25636712);
    expect(nonTrainableCount(m)).toBe(53120);
    m.dispose();
  });

  it('ResNet50 without top: 23,587,712 params; pooling avg/max add avg_pool/max_pool', async () => {
    clearSession();
    const none = await ResNet50({ weights: null, includeTop: false });
    expect(none.countParams()).toBe(23587712);
    expect(stripCounter(layerWeightRows(none))).toEqual(reference('resnet50-layers.json').slice(0, 175));
    expect(none.outputs[0]!.shape).toEqual([null, null, null, 2048]);
    none.dispose();
    const avg = await ResNet50({ weights: null, includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] });
    expect(avg.layers.at(-1)!.name).toBe('avg_pool');
    expect(avg.outputs[0]!.shape).toEqual([null, 2048]);
    avg.dispose();
    const max = await ResNet50({ weights: null, includeTop: false, pooling: 'max', inputShape: [64, 64, 3] });
    expect(max.layers.at(-1)!.name).toBe('max_pool');
    expect(max.layers.at(-1)!.className).toBe('GlobalMaxPooling2D');
    max.dispose();
  });

  it.each([
    ['ResNet101', ResNet101, 'resnet101', [3, 4, 23, 3], false, 44707176],
    ['ResNet152', ResNet152, 'resnet152', [3, 8, 36, 3], false, 60419944],
    ['ResNet50V2', ResNet50V2, 'resnet50v2', [3, 4, 6, 3], true, 25613800],
    ['ResNet101V2', ResNet101V2, 'resnet101v2', [3, 4, 23, 3], true, 44675560],
    ['ResNet152V2', ResNet152V2, 'resnet152v2', [3, 8, 36, 3], true, 60380648],
  ] as const)('%s: parameter counts with and without top', async (_n, fn, name, depths, v2, published) => {
    clearSession();
    const ref = resnetParams([...depths], v2, true);
    expect(ref.total).toBe(published); // Keras docs' published total
    const notop = await fn({ weights: null, includeTop: false, inputShape: [32, 32, 3] });
    expect(notop.name).toBe(name);
    expect(notop.countParams()).toBe(resnetParams([...depths], v2, false).total);
    expect(nonTrainableCount(notop)).toBe(ref.nonTrainable);
    expect(notop.outputs[0]!.shape).toEqual([null, 1, 1, 2048]);
    const layerCount = notop.layers.length;
    notop.dispose();
    const top = await fn({ weights: null });
    expect(top.countParams()).toBe(published);
    expect(top.layers.length).toBe(layerCount + 2);
    expect(top.layers.slice(-2).map((l) => l.name)).toEqual(['avg_pool', 'predictions']);
    top.dispose();
  }, 60000);

  it('ResNet50V2 block structure follows Keras (pre-activation, stride on the last block, MaxPooling2D(1) shortcut)', async () => {
    clearSession();
    const m = await ResNet50V2({ weights: null, includeTop: false, inputShape: [64, 64, 3] });
    const names = m.layers.map((l) => l.name);
    expect(names.slice(0, 5)).toEqual([expect.stringMatching(/^input_layer/), 'conv1_pad', 'conv1_conv', 'pool1_pad', 'pool1_pool']);
    expect(names.slice(-2)).toEqual(['post_bn', 'post_relu']);
    expect(names).toContain('conv2_block3_2_pad');
    expect(m.getLayer('conv2_block3_2_conv').getConfig().strides).toEqual([2, 2]);
    expect(m.getLayer('conv5_block3_2_conv').getConfig().strides).toEqual([1, 1]);
    expect(m.getLayer('conv2_block1_1_conv').getConfig().use_bias).toBe(false);
    expect(m.getLayer('conv2_block1_0_conv').getConfig().use_bias).toBe(true);
    expect(m.layers.filter((l) => l.className === 'MaxPooling2D').length).toBe(4); // pool1 + 3 strided shortcuts
    expect(m.outputs[0]!.shape).toEqual([null, 2, 2, 2048]);
    m.dispose();
  });
});

describe('MobileNetV2', () => {
  it('reference generator reproduces Appendix B (alpha 1.0)', () => {
    expect(mobilenetV2Reference(1.0, 1000, true)).toEqual(reference('mobilenetv2-1.0-224-layers.json'));
    expect(paramCounts(mobilenetV2Reference(1.0, 1000, true))).toEqual({ total: 3538984, nonTrainable: 34112 });
    expect(paramCounts(mobilenetV2Reference(1.0, 1000, false)).total).toBe(2257984);
    // Keras fixture: MobileNetV2(alpha=0.35, 96, classes=10) has 423,018 params (14,080 non-trainable).
    expect(paramCounts(mobilenetV2Reference(0.35, 10, true))).toEqual({ total: 423018, nonTrainable: 14080 });
  });

  it('alpha 1.0, 224: Appendix B layers, name, 3,538,984 / 2,257,984 params', async () => {
    clearSession();
    const m = await MobileNetV2({ weights: null });
    expect(stripCounter(layerWeightRows(m))).toEqual(reference('mobilenetv2-1.0-224-layers.json'));
    expect(m.name).toBe('mobilenetv2_1.00_224');
    expect(m.countParams()).toBe(3538984);
    expect(nonTrainableCount(m)).toBe(34112);
    m.dispose();
    const notop = await MobileNetV2({ weights: null, includeTop: false, inputShape: [224, 224, 3] });
    expect(notop.countParams()).toBe(2257984);
    expect(notop.layers.length).toBe(154);
    expect(notop.outputs[0]!.shape).toEqual([null, 7, 7, 1280]);
    notop.dispose();
  });

  it('alpha 0.35, 96, 10 classes: 423,018 params (Keras fixture) and the layer list', async () => {
    clearSession();
    const m = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [96, 96, 3], classes: 10 });
    expect(m.name).toBe('mobilenetv2_0.35_96');
    expect(stripCounter(layerWeightRows(m))).toEqual(mobilenetV2Reference(0.35, 10, true));
    expect(m.countParams()).toBe(423018);
    expect(nonTrainableCount(m)).toBe(14080);
    expect(m.outputs[0]!.shape).toEqual([null, 10]);
    m.dispose();
  });

  it.each([0.5, 0.75, 1.3, 1.4])('alpha %s: layers and counts follow the width rule; name uses alpha and rows', async (alpha) => {
    clearSession();
    const m = await MobileNetV2({ weights: null, alpha, inputShape: [128, 128, 3] });
    expect(m.name).toBe(`mobilenetv2_${alpha.toFixed(2)}_128`);
    expect(stripCounter(layerWeightRows(m))).toEqual(mobilenetV2Reference(alpha, 1000, true));
    expect(m.countParams()).toBe(paramCounts(mobilenetV2Reference(alpha, 1000, true)).total);
    m.dispose();
  });

  it('odd and unknown sizes: block_1_pad pads (1,1) for odd inputs, ((0,1),(0,1)) for unknown; name says None', async () => {
    clearSession();
    const odd = await MobileNetV2({ weights: null, includeTop: false, inputShape: [33, 33, 3], alpha: 0.35 });
    expect(odd.name).toBe('mobilenetv2_0.35_33');
    // Conv1 stride 2 'same' on 33 gives 17 (odd): correct_pad = ((1, 1), (1, 1)).
    expect(odd.getLayer('block_1_pad').getConfig().padding).toEqual([
      [1, 1],
      [1, 1],
    ]);
    odd.dispose();
    const free = await MobileNetV2({ weights: null, includeTop: false, alpha: 0.35 });
    expect(free.name).toBe('mobilenetv2_0.35_None');
    expect(free.getLayer('block_1_pad').getConfig().padding).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(free.outputs[0]!.shape).toEqual([null, null, null, 1280]);
    free.dispose();
  });

  it('pooling avg / max output shapes', async () => {
    clearSession();
    for (const [pooling, cls] of [
      ['avg', 'GlobalAveragePooling2D'],
      ['max', 'GlobalMaxPooling2D'],
    ] as const) {
      const m = await MobileNetV2({ weights: null, includeTop: false, alpha: 0.35, inputShape: [96, 96, 3], pooling });
      expect(m.layers.at(-1)!.className).toBe(cls);
      expect(m.outputs[0]!.shape).toEqual([null, 1280]);
      m.dispose();
    }
  });
});

describe('MobileNet (v1)', () => {
  /** Keras' MobileNet v1 layer list from the paper's table (depthwise separable blocks) and Keras' naming. */
  function mobilenetReference(alpha: number, classes: number, includeTop: boolean): RefLayer[] {
    const bn = (c: number) => [[c], [c], [c], [c]];
    const c0 = Math.floor(32 * alpha);
    const out: RefLayer[] = [
      { name: 'input_layer', className: 'InputLayer', shapes: [] },
      { name: 'conv1', className: 'Conv2D', shapes: [[3, 3, 3, c0]] },
      { name: 'conv1_bn', className: 'BatchNormalization', shapes: bn(c0) },
      { name: 'conv1_relu', className: 'ReLU', shapes: [] },
    ];
    const plan = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
    const strided = new Set([2, 4, 6, 12]);
    let cin = c0;
    plan.forEach((f, i) => {
      const id = i + 1;
      const cout = Math.floor(f * alpha);
      if (strided.has(id)) out.push({ name: `conv_pad_${id}`, className: 'ZeroPadding2D', shapes: [] });
      out.push({ name: `conv_dw_${id}`, className: 'DepthwiseConv2D', shapes: [[3, 3, cin, 1]] });
      out.push({ name: `conv_dw_${id}_bn`, className: 'BatchNormalization', shapes: bn(cin) });
      out.push({ name: `conv_dw_${id}_relu`, className: 'ReLU', shapes: [] });
      out.push({ name: `conv_pw_${id}`, className: 'Conv2D', shapes: [[1, 1, cin, cout]] });
      out.push({ name: `conv_pw_${id}_bn`, className: 'BatchNormalization', shapes: bn(cout) });
      out.push({ name: `conv_pw_${id}_relu`, className: 'ReLU', shapes: [] });
      cin = cout;
    });
    if (includeTop) {
      out.push({ name: 'global_average_pooling2d', className: 'GlobalAveragePooling2D', shapes: [] });
      out.push({ name: 'dropout', className: 'Dropout', shapes: [] });
      out.push({ name: 'conv_preds', className: 'Conv2D', shapes: [[1, 1, cin, classes], [classes]] });
      out.push({ name: 'reshape_2', className: 'Reshape', shapes: [] });
      out.push({ name: 'predictions', className: 'Activation', shapes: [] });
    }
    return out;
  }

  it('reference matches Keras published counts (4,253,864 / 3,228,864; 21,888 non-trainable)', () => {
    expect(paramCounts(mobilenetReference(1.0, 1000, true))).toEqual({ total: 4253864, nonTrainable: 21888 });
    expect(paramCounts(mobilenetReference(1.0, 1000, false)).total).toBe(3228864);
  });

  it('alpha 1.0, 224: layers, name, counts; top output (None, 1000)', async () => {
    clearSession();
    const m = await MobileNet({ weights: null });
    expect(stripCounter(layerWeightRows(m))).toEqual(mobilenetReference(1.0, 1000, true));
    expect(m.name).toBe('mobilenet_1.00_224');
    expect(m.countParams()).toBe(4253864);
    expect(nonTrainableCount(m)).toBe(21888);
    expect(m.outputs[0]!.shape).toEqual([null, 1000]);
    m.dispose();
    const notop = await MobileNet({ weights: null, includeTop: false, inputShape: [224, 224, 3] });
    expect(notop.countParams()).toBe(3228864);
    expect(notop.outputs[0]!.shape).toEqual([null, 7, 7, 1024]);
    notop.dispose();
  });

  it('alpha 0.25 at 128, 10 classes, and pooling', async () => {
    clearSession();
    const m = await MobileNet({ weights: null, alpha: 0.25, inputShape: [128, 128, 3], classes: 10 });
    expect(m.name).toBe('mobilenet_0.25_128');
    expect(stripCounter(layerWeightRows(m))).toEqual(mobilenetReference(0.25, 10, true));
    m.dispose();
    const p = await MobileNet({ weights: null, alpha: 0.5, inputShape: [64, 64, 3], includeTop: false, pooling: 'max' });
    expect(p.outputs[0]!.shape).toEqual([null, 512]);
    p.dispose();
  });

  it("Keras' argument errors", async () => {
    await expect(MobileNet({ alpha: 0.35, includeTop: false, inputShape: [128, 128, 3] })).rejects.toThrow(
      'If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or `1.0` only.  Received alpha=0.35',
    );
    await expect(MobileNet({ depthMultiplier: 2, includeTop: false, inputShape: [128, 128, 3] })).rejects.toThrow(
      'If imagenet weights are being loaded, depth multiplier must be 1.  Received depth_multiplier=2',
    );
    await expect(MobileNet({ classes: 5 })).rejects.toThrow('If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000.  Received classes=5');
  });
});

describe('forward pass and inputTensor', () => {
  it('MobileNetV2 0.35 at 32x32: softmax rows sum to 1; pooling avg equals the mean of the feature map', async () => {
    clearSession();
    const before = memory().numTensors;
    const top = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], classes: 7 });
    const feat = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], includeTop: false });
    const pooled = await MobileNetV2({ weights: null, alpha: 0.35, inputShape: [32, 32, 3], includeTop: false, pooling: 'avg' });
    const w = feat.getWeights();
    pooled.setWeights(w);
    for (const t of w) t.dispose();
    const x = tensor(Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i) * 0.5), [2, 32, 32, 3]);
    const sums = tidy(() => ops.sum(top.apply(x) as never, -1).arraySync() as number[]);
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    const fmap = tidy(() => (feat.apply(x) as ReturnType<typeof tensor>).arraySync() as number[][][][]);
    expect(fmap.length).toBe(2);
    expect(fmap[0]!.length).toBe(1); // 32 -> 16 -> 8 -> 4 -> 2 -> 1
    const p = tidy(() => (pooled.apply(x) as ReturnType<typeof tensor>).arraySync() as number[][]);
    // 1x1 feature map: the average is the map itself.
    for (let c = 0; c < 1280; c += 97) expect(p[1]![c]).toBeCloseTo(fmap[1]![0]![0]![c]!, 5);
    x.dispose();
    top.dispose();
    feat.dispose();
    pooled.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('inputTensor: the model uses the given tensor and its source Input', async () => {
    clearSession();
    const inp = Input({ shape: [96, 96, 3], name: 'img' });
    const m = await MobileNetV2({ weights: null, inputTensor: inp, alpha: 0.35, includeTop: false });
    expect(m.inputs[0]).toBe(inp);
    expect(m.layers[0]!.name).toBe('img');
    // As in Keras: without inputShape, obtain_input_shape gives (None, None, 3) for a headless
    // model, so rows is None in the name even though the tensor is 96x96.
    expect(m.name).toBe('mobilenetv2_0.35_None');
    expect(m.outputs[0]!.shape).toEqual([null, 3, 3, 1280]);
    m.dispose();
  });

  it('summary() prints Keras totals', async () => {
    clearSession();
    const m = await MobileNetV2({ weights: null });
    const text = m.summary({ printFn: () => {} });
    expect(text).toContain('Model: "mobilenetv2_1.00_224"');
    expect(text).toContain('Total params: 3,538,984 (13.50 MB)');
    expect(text).toContain('Trainable params: 3,504,872 (13.37 MB)');
    expect(text).toContain('Non-trainable params: 34,112 (133.25 KB)');
    m.dispose();
  });
});
