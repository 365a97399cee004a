import { memory, tensor } from '@strata/core';
import { Input, clearSession } from '@strata/layers';
import { expectAllClose } from '@strata/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ClassIndex, decodePredictions, resetClassIndexCache } from './decode-predictions';
import { correctPad, obtainInputShape, preprocessInput } from './imagenet-utils';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet50 } from './resnet';
import { VGG16 } from './vgg';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('preprocessInput', () => {
  const pixels = [
    [0, 0, 0],
    [255, 255, 255],
    [10, 128, 250],
    [1, 2, 3],
  ];
  const x = () => tensor(pixels.flat(), [1, 2, 2, 3]);

  it("caffe: RGB -> BGR, minus ImageNet's BGR means, no scaling", () => {
    const before = memory().numTensors;
    const t = x();
    const y = preprocessInput(t, { mode: 'caffe' });
    const mean = [103.939, 116.779, 123.68];
    const expected = pixels.map(([r, g, b]) => [b! - mean[0]!, g! - mean[1]!, r! - mean[2]!]);
    expectAllClose(y, expected.flat(), { atol: 1e-4, shape: [1, 2, 2, 3] });
    expect(y.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([[[pixels[0], pixels[1]], [pixels[2], pixels[3]]]]); // input unchanged
    t.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('caffe is the default mode, and int inputs are cast to float32', () => {
    const t = tensor(pixels.flat(), [4, 3], 'int32');
    const y = preprocessInput(t);
    expect(y.dtype).toBe('float32');
    expectAllClose(y, [-103.939, -116.779, -123.68, 255 - 103.939, 255 - 116.779, 255 - 123.68, 250 - 103.939, 128 - 116.779, 10 - 123.68, 3 - 103.939, 2 - 116.779, 1 - 123.68], {
      atol: 1e-4,
    });
    t.dispose();
    y.dispose();
  });

  it('tf: x / 127.5 - 1 into [-1, 1]', () => {
    const t = x();
    const y = preprocessInput(t, { mode: 'tf' });
    expectAllClose(y, pixels.flat().map((v) => v / 127.5 - 1), { atol: 1e-6 });
    t.dispose();
    y.dispose();
  });

  it('torch: x / 255, minus mean [0.485, 0.456, 0.406], over std [0.229, 0.224, 0.225]', () => {
    const t = x();
    const y = preprocessInput(t, { mode: 'torch' });
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    expectAllClose(y, pixels.flatMap((p) => p.map((v, c) => (v / 255 - mean[c]!) / std[c]!)), { atol: 1e-5 });
    t.dispose();
    y.dispose();
  });

  it("bad arguments throw Keras' errors", () => {
    const t = x();
    expect(() => preprocessInput(t, { mode: 'bgr' as never })).toThrow('Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=bgr');
    expect(() => preprocessInput(t, { dataFormat: 'nhwc' as never })).toThrow(
      'Expected data_format to be one of `channels_first` or `channels_last`. Received: data_format=nhwc',
    );
    expect(() => preprocessInput(t, { dataFormat: 'channels_first' })).toThrow(/channels_first.*not supported/);
    const gray = tensor([1, 2], [1, 2, 1, 1]);
    expect(() => preprocessInput(gray, { mode: 'caffe' })).toThrow(/3 color channels.*\[1, 2, 1, 1\]/);
    gray.dispose();
    t.dispose();
  });
});

describe('obtainInputShape / correctPad (imagenet_utils)', () => {
  it('defaults and validation as Keras', () => {
    expect(obtainInputShape(null, 224, 32, true, 'imagenet')).toEqual([224, 224, 3]);
    expect(obtainInputShape(null, 224, 32, false, null)).toEqual([null, null, 3]);
    expect(obtainInputShape([64, 80, 3], 224, 32, false, 'imagenet')).toEqual([64, 80, 3]);
    expect(() => obtainInputShape([200, 200, 3], 224, 32, true, 'imagenet')).toThrow(
      'When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be (224, 224, 3).  Received: input_shape=(200, 200, 3)',
    );
    expect(() => obtainInputShape([31, 64, 3], 224, 32, false, null)).toThrow('Input size must be at least 32x32; Received: input_shape=(31, 64, 3)');
    expect(() => obtainInputShape([64, 64, 1], 224, 32, false, 'imagenet')).toThrow('The input must have 3 channels; Received `input_shape=(64, 64, 1)`');
    expect(() => obtainInputShape([64, 64], 224, 32, false, null)).toThrow('`input_shape` must be a tuple of three integers.');
    expect(() => obtainInputShape([null, null, 3], 224, 32, true, null)).toThrow(
      'If `include_top` is True, you should specify a static `input_shape`. Received: input_shape=(None, None, 3)',
    );
  });

  it('correctPad: ((0,1),(0,1)) for even or unknown sizes, ((1,1),(1,1)) for odd', () => {
    clearSession();
    expect(correctPad(Input({ shape: [112, 112, 8] }), 3)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(correctPad(Input({ shape: [17, 17, 8] }), 3)).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(correctPad(Input({ shape: [null, null, 8] }), 3)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(correctPad(Input({ shape: [10, 9, 8] }), [5, 3])).toEqual([
      [1, 2],
      [1, 1],
    ]);
  });
});

describe("constructor argument errors (Keras' messages)", () => {
  it('classes must be 1000 with imagenet weights and the top', async () => {
    await expect(VGG16({ classes: 10 })).rejects.toThrow("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10");
    await expect(ResNet50({ classes: 10 })).rejects.toThrow("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10");
    await expect(MobileNetV2({ classes: 10 })).rejects.toThrow(
      'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. Received `classes=10`',
    );
  });

  it('weights must be imagenet, null or an existing path', async () => {
    await expect(ResNet50({ weights: 'imagenet21k' })).rejects.toThrow(
      "The `weights` argument should be either `None` (random initialization), 'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded.  Received: weights=imagenet21k",
    );
  });

  it('MobileNetV2: alpha must be a published one with imagenet weights', async () => {
    await expect(MobileNetV2({ alpha: 0.6, includeTop: false, inputShape: [96, 96, 3] })).rejects.toThrow(
      'If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha=0.6`',
    );
  });

  it('MobileNetV2: inputShape and inputTensor must agree', async () => {
    clearSession();
    const inp = Input({ shape: [96, 96, 3] });
    await expect(MobileNetV2({ weights: null, inputTensor: inp, inputShape: [128, 128, 3] })).rejects.toThrow(
      'input_tensor.shape[2] must equal input_shape[1]; Received `input_tensor.shape=(None, 96, 96, 3)`, `input_shape=(128, 128, 3)`',
    );
  });

  it('classifierActivation must be softmax or null with pretrained weights; nothing leaks', async () => {
    const before = memory().numTensors;
    await expect(VGG16({ classifierActivation: 'relu' })).rejects.toThrow(
      'Only `None` and `softmax` activations are allowed for the `classifier_activation` argument when using pretrained weights, with `include_top=True`; Received: classifier_activation=relu',
    );
    await expect(MobileNetV2({ classifierActivation: 'sigmoid' })).rejects.toThrow(/classifier_activation=sigmoid/);
    expect(memory().numTensors).toBe(before);
  });

  it('input shape errors come from obtain_input_shape', async () => {
    await expect(VGG16({ inputShape: [200, 200, 3] })).rejects.toThrow('`input_shape` should be (224, 224, 3)');
    await expect(ResNet50({ weights: null, includeTop: false, inputShape: [16, 16, 3] })).rejects.toThrow('Input size must be at least 32x32');
    await expect(VGG16({ weights: null, inputTensor: [1, 2, 3] as never })).rejects.toThrow(/`inputTensor` must be a Keras tensor/);
    await expect(VGG16({ weights: null, includeTop: false, pooling: 'sum' as never })).rejects.toThrow("`pooling` must be null, 'avg' or 'max'; Received: pooling=sum");
  });
});

describe('decodePredictions', () => {
  const classIndex: ClassIndex = {};
  for (let i = 0; i < 1000; i++) classIndex[String(i)] = [`n${String(i).padStart(8, '0')}`, `class_${i}`];

  it('returns [wnid, name, score] for the top classes of each row, best first', async () => {
    const rows = [new Array(1000).fill(0), new Array(1000).fill(0.001)];
    rows[0]![3] = 0.5;
    rows[0]![999] = 0.3;
    rows[0]![0] = 0.2;
    rows[1]![42] = 0.9;
    rows[1]![7] = 0.05;
    const preds = tensor(rows.flat(), [2, 1000]);
    const out = await decodePredictions(preds, 3, { classIndex });
    expect(out[0]).toEqual([
      ['n00000003', 'class_3', 0.5],
      ['n00000999', 'class_999', expect.closeTo(0.3, 6)],
      ['n00000000', 'class_0', expect.closeTo(0.2, 6)],
    ]);
    expect(out[1]!.map((r) => r[1])).toEqual(['class_42', 'class_7', expect.stringMatching(/^class_/)]);
    expect(out[1]![0]![2]).toBeCloseTo(0.9, 6);
    expect((await decodePredictions(rows, 5, { classIndex }))[0]!.length).toBe(5); // plain arrays too
    preds.dispose();
  });

  it("rejects predictions that are not (samples, 1000) with Keras' message", async () => {
    const bad = tensor(new Array(20).fill(0), [2, 10]);
    await expect(decodePredictions(bad, 5, { classIndex })).rejects.toThrow(
      '`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). Received array with shape: (2, 10)',
    );
    bad.dispose();
    await expect(decodePredictions([new Array(1000).fill(0)], 0, { classIndex })).rejects.toThrow(/`top` must be a positive integer/);
  });

  it('without a class index, the shipped one is used and nothing is downloaded', async () => {
    resetClassIndexCache();
    const f = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    vi.stubGlobal('fetch', f);
    const row = new Array(1000).fill(0);
    row[2] = 1;
    expect((await decodePredictions([row], 1))[0]).toEqual([['n01484850', 'great_white_shark', 1]]);
    expect(f).not.toHaveBeenCalled();
  });
});
