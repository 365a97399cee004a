import { type KerasTensor, ValueError } from '@strata/core';
import { Activation, BatchNormalization, Conv2D, DepthwiseConv2D, Dropout, GlobalAveragePooling2D, ReLU, Reshape, ZeroPadding2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import { type ApplicationArgs, obtainInputShape, validateActivation } from './imagenet-utils';

const BASE_WEIGHT_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/';
const SIZES = [128, 160, 192, 224];

/** MobileNet (v1) arguments: the application options plus `alpha`, `depthMultiplier` and `dropout`. */
export interface MobileNetArgs extends ApplicationArgs {
  /** Width multiplier (default 1.0); ImageNet weights exist for 0.25, 0.5, 0.75, 1.0. */
  alpha?: number;
  /** Depth multiplier of the depthwise convolutions (default 1; must be 1 with ImageNet weights). */
  depthMultiplier?: number;
  /** Dropout rate before the classifier (default 1e-3). */
  dropout?: number;
}

function convBlock(inputs: KerasTensor, filters: number, alpha: number): KerasTensor {
  let x = new Conv2D(Math.trunc(filters * alpha), [3, 3], { padding: 'same', useBias: false, strides: [2, 2], name: 'conv1' }).apply(inputs);
  // Keras' MobileNet keeps BatchNormalization's defaults (epsilon 1e-3, momentum 0.99).
  x = new BatchNormalization({ axis: -1, name: 'conv1_bn' }).apply(x);
  return new ReLU(6.0, { name: 'conv1_relu' }).apply(x);
}

function depthwiseConvBlock(inputs: KerasTensor, pointwiseFilters: number, alpha: number, depthMultiplier: number, stride: number, id: number): KerasTensor {
  let x = inputs;
  if (stride !== 1) x = new ZeroPadding2D([[0, 1], [0, 1]], { name: `conv_pad_${id}` }).apply(x);
  x = new DepthwiseConv2D([3, 3], {
    padding: stride === 1 ? 'same' : 'valid',
    depthMultiplier,
    strides: [stride, stride],
    useBias: false,
    name: `conv_dw_${id}`,
  }).apply(x);
  x = new BatchNormalization({ axis: -1, name: `conv_dw_${id}_bn` }).apply(x);
  x = new ReLU(6.0, { name: `conv_dw_${id}_relu` }).apply(x);
  x = new Conv2D(Math.trunc(pointwiseFilters * alpha), [1, 1], { padding: 'same', useBias: false, strides: [1, 1], name: `conv_pw_${id}` }).apply(x);
  x = new BatchNormalization({ axis: -1, name: `conv_pw_${id}_bn` }).apply(x);
  return new ReLU(6.0, { name: `conv_pw_${id}_relu` }).apply(x);
}

/**
 * `keras.applications.MobileNet` (v1) with Keras' layer names and order; named
 * `mobilenet_{alpha:.2f}_{rows}` (e.g. `mobilenet_1.00_224`: 4,253,864 parameters, 3,228,864
 * without the top). ImageNet weights exist for alpha in {0.25, 0.5, 0.75, 1.0} and square inputs
 * of 128, 160, 192 or 224 pixels. Use `preprocessInput(x, { mode: 'tf' })`.
 */
export async function MobileNet(args: MobileNetArgs = {}): Promise<Model> {
  const alpha = args.alpha ?? 1.0;
  const depthMultiplier = args.depthMultiplier ?? 1;
  const dropout = args.dropout ?? 1e-3;
  const { includeTop, weights, classes, classifierActivation, inputTensor } = await resolveApplicationArgs(args, 'MobileNet', {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), 'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded. Received weights=${w}`,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top=True\`, \`classes\` should be 1000.  Received classes=${c}`,
  });
  // Unlike MobileNetV2, Keras' MobileNet looks only at input_shape (not input_tensor) for the default size.
  let defaultSize = 224;
  if (args.inputShape != null) {
    const [r, c] = args.inputShape;
    if (r === c && r != null && SIZES.includes(r)) defaultSize = r;
  }
  const inputShape = obtainInputShape(args.inputShape, defaultSize, 32, includeTop, weights);
  let rows = inputShape[0] ?? null;
  const cols = inputShape[1] ?? null;
  if (weights === 'imagenet') {
    if (depthMultiplier !== 1) {
      throw new ValueError(`If imagenet weights are being loaded, depth multiplier must be 1.  Received depth_multiplier=${depthMultiplier}`);
    }
    if (![0.25, 0.5, 0.75, 1.0].includes(alpha)) {
      throw new ValueError(`If imagenet weights are being loaded, alpha can be one of\`0.25\`, \`0.50\`, \`0.75\` or \`1.0\` only.  Received alpha=${alpha}`);
    }
    if (rows !== cols || rows == null || !SIZES.includes(rows)) {
      rows = 224;
      console.warn(
        '`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, 224]. Weights for input shape (224, 224) will be loaded as the default.',
      );
    }
  }
  // Keras checks this while building the top; checking before any layer exists leaks nothing.
  if (includeTop) validateActivation(classifierActivation, weights);

  const img = imageInput(inputTensor, inputShape);
  let x = convBlock(img, 32, alpha);
  const blocks: [filters: number, stride: number][] = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ];
  blocks.forEach(([filters, stride], i) => {
    x = depthwiseConvBlock(x, filters, alpha, depthMultiplier, stride, i + 1);
  });
  if (includeTop) {
    x = new GlobalAveragePooling2D({ keepdims: true }).apply(x);
    x = new Dropout(dropout, { name: 'dropout' }).apply(x);
    x = new Conv2D(classes, [1, 1], { padding: 'same', name: 'conv_preds' }).apply(x);
    x = new Reshape([classes], { name: 'reshape_2' }).apply(x);
    x = new Activation(classifierActivation, { name: 'predictions' }).apply(x);
  } else {
    x = applyPooling(x, args.pooling);
  }
  const name = args.name ?? `mobilenet_${alpha.toFixed(2)}_${rows ?? 'None'}`;
  const alphaText = alpha === 1.0 ? '1_0' : alpha === 0.75 ? '7_5' : alpha === 0.5 ? '5_0' : '2_5';
  const fname = `mobilenet_${alphaText}_${rows}_tf${includeTop ? '' : '_no_top'}.h5`;
  // Keras gives no file_hash for the MobileNet files.
  return finishApplication(img, inputTensor, x, name, weights, { fname, origin: BASE_WEIGHT_PATH + fname, fileHash: null });
}
