import { type Dim, type KerasTensor, ValueError } from '@strata/core';
import { Add, BatchNormalization, Conv2D, Dense, DepthwiseConv2D, GlobalAveragePooling2D, ReLU, ZeroPadding2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import { type ApplicationArgs, correctPad, obtainInputShape, validateActivation } from './imagenet-utils';

const BASE_WEIGHT_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/';
const SIZES = [96, 128, 160, 192, 224];
const ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

/** MobileNetV2's arguments: the application options plus the width multiplier `alpha`. */
export interface MobileNetV2Args extends ApplicationArgs {
  /** Width multiplier (default 1.0); ImageNet weights exist for 0.35, 0.5, 0.75, 1.0, 1.3, 1.4. */
  alpha?: number;
}

/** Keras' `_make_divisible`: round to a multiple of `divisor`, never more than 10% below `v`. */
export function makeDivisible(v: number, divisor: number, minValue?: number): number {
  const min = minValue ?? divisor;
  let out = Math.max(min, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** Python's `str(float(x))` for the weight file name: 1 -> '1.0', 0.35 -> '0.35'. */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

function bn(name: string): BatchNormalization {
  return new BatchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
}

/** Keras' `_inverted_res_block`: 1x1 expand (not in block 0), 3x3 depthwise, 1x1 linear projection, residual Add. */
function invertedResBlock(inputs: KerasTensor, expansion: number, stride: number, alpha: number, filters: number, blockId: number): KerasTensor {
  const inChannels = inputs.shape[3] as number;
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let x = inputs;
  let prefix = `block_${blockId}_`;
  if (blockId) {
    x = new Conv2D(expansion * inChannels, 1, { padding: 'same', useBias: false, activation: null, name: `${prefix}expand` }).apply(x);
    x = bn(`${prefix}expand_BN`).apply(x);
    x = new ReLU(6.0, { name: `${prefix}expand_relu` }).apply(x);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = new ZeroPadding2D(correctPad(x, 3), { name: `${prefix}pad` }).apply(x);
  x = new DepthwiseConv2D(3, {
    strides: stride,
    activation: null,
    useBias: false,
    padding: stride === 1 ? 'same' : 'valid',
    name: `${prefix}depthwise`,
  }).apply(x);
  x = bn(`${prefix}depthwise_BN`).apply(x);
  x = new ReLU(6.0, { name: `${prefix}depthwise_relu` }).apply(x);
  x = new Conv2D(pointwiseFilters, 1, { padding: 'same', useBias: false, activation: null, name: `${prefix}project` }).apply(x);
  x = bn(`${prefix}project_BN`).apply(x);
  if (inChannels === pointwiseFilters && stride === 1) return new Add({ name: `${prefix}add` }).apply([inputs, x]) as KerasTensor;
  return x;
}

/**
 * `keras.applications.MobileNetV2` with Keras' layer names, order and weight shapes for every
 * `alpha`; the model is named `mobilenetv2_{alpha:.2f}_{rows}` (e.g. `mobilenetv2_1.00_224`:
 * 3,538,984 parameters, 2,257,984 without the top). ImageNet weights exist for alpha in
 * {0.35, 0.5, 0.75, 1.0, 1.3, 1.4} and square inputs of 96, 128, 160, 192 or 224 pixels. Use
 * `preprocessInput(x, { mode: 'tf' })`.
 */
export async function MobileNetV2(args: MobileNetV2Args = {}): Promise<Model> {
  const alpha = args.alpha ?? 1.0;
  const { includeTop, weights, classes, classifierActivation, inputTensor } = await resolveApplicationArgs(args, 'MobileNetV2', {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded.  Received \`weights=${w}\``,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top\` as true, \`classes\` should be 1000. Received \`classes=${c}\``,
  });
  let inputShape = args.inputShape ?? null;

  if (inputShape != null && inputTensor != null && inputTensor.shape[2] !== inputShape[1]) {
    throw new ValueError(
      `input_tensor.shape[2] must equal input_shape[1]; Received \`input_tensor.shape=(${inputTensor.shape.map((d) => d ?? 'None').join(', ')})\`, \`input_shape=(${inputShape.map((d) => d ?? 'None').join(', ')})\``,
    );
  }
  // The default size follows the input when it is square and one of the published sizes.
  let defaultSize = 224;
  const sized: readonly Dim[] | null = inputShape ?? (inputTensor != null ? inputTensor.shape.slice(1) : null);
  if (sized != null) {
    const [r, c] = sized;
    if (r === c && r != null && SIZES.includes(r)) defaultSize = r;
  }
  inputShape = obtainInputShape(inputShape, defaultSize, 32, includeTop, weights);
  let rows = inputShape[0] ?? null;
  const cols = inputShape[1] ?? null;

  if (weights === 'imagenet') {
    if (!ALPHAS.includes(alpha)) {
      throw new ValueError(
        `If imagenet weights are being loaded, alpha must be one of \`0.35\`, \`0.50\`, \`0.75\`, \`1.0\`, \`1.3\` or \`1.4\` only; Received \`alpha=${alpha}\``,
      );
    }
    if (rows !== cols || rows == null || !SIZES.includes(rows)) {
      rows = 224;
      console.warn(
        '`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, 224]. Weights for input shape (224, 224) will be loaded as the default.',
      );
    }
  }

  // Keras checks this while building the top; checking before any layer exists leaks nothing.
  if (includeTop) validateActivation(classifierActivation, weights);

  const img = imageInput(inputTensor, inputShape);
  const firstBlockFilters = makeDivisible(32 * alpha, 8);
  let x = new Conv2D(firstBlockFilters, 3, { strides: [2, 2], padding: 'same', useBias: false, name: 'Conv1' }).apply(img);
  x = bn('bn_Conv1').apply(x);
  x = new ReLU(6.0, { name: 'Conv1_relu' }).apply(x);

  const blocks: [filters: number, stride: number, expansion: number][] = [
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
  blocks.forEach(([filters, stride, expansion], id) => {
    x = invertedResBlock(x, expansion, stride, alpha, filters, id);
  });

  // No width multiplier on the last conv unless alpha > 1 (as in the paper and Keras).
  const lastBlockFilters = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = new Conv2D(lastBlockFilters, 1, { useBias: false, name: 'Conv_1' }).apply(x);
  x = bn('Conv_1_bn').apply(x);
  x = new ReLU(6.0, { name: 'out_relu' }).apply(x);

  if (includeTop) {
    x = new GlobalAveragePooling2D().apply(x);
    x = new Dense(classes, { activation: classifierActivation, name: 'predictions' }).apply(x);
  } else {
    x = applyPooling(x, args.pooling);
  }

  const name = args.name ?? `mobilenetv2_${alpha.toFixed(2)}_${rows ?? 'None'}`;
  const fname = `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${pyFloat(alpha)}_${rows}${includeTop ? '' : '_no_top'}.h5`;
  // Keras gives no file_hash for the MobileNetV2 files.
  return finishApplication(img, inputTensor, x, name, weights, { fname, origin: BASE_WEIGHT_PATH + fname, fileHash: null });
}
