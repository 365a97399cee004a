import { type KerasTensor, ValueError } from '@strata/core';
import {
  type ActivationIdentifier,
  Activation,
  Add,
  BatchNormalization,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Dropout,
  GlobalAveragePooling2D,
  Multiply,
  Normalization,
  Rescaling,
  Reshape,
  ZeroPadding2D,
  initializers,
} from '@strata/layers';
import type { Model } from '@strata/models';
import { applicationInputShape, applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import { type ApplicationArgs, correctPad } from './imagenet-utils';

const BASE_WEIGHTS_PATH = 'https://storage.googleapis.com/keras-applications/';

/** Keras' md5 of `efficientnetbN.h5` and `efficientnetbN_notop.h5`. */
const WEIGHTS_HASHES: Record<string, [string, string]> = {
  b0: ['902e53a9f72be733fc0bcb005b3ebbac', '50bc09e76180e00e4465e1a485ddc09d'],
  b1: ['1d254153d4ab51201f1646940f018540', '74c4e6b3e1f6a1eea24c589628592432'],
  b2: ['b15cce36ff4dcbd00b6dd88e7857a6ad', '111f8e2ac8aa800a7a99e3239f7bfb39'],
  b3: ['ffd1fdc53d0ce67064dc6a9c7960ede0', 'af6d107764bb5b1abb91932881670226'],
  b4: ['18c95ad55216b8f92d7e70b3a046e2fc', 'ebc24e6d6c33eaebbd558eafbeedf1ba'],
  b5: ['ace28f2a6363774853a83a0b21b9421a', '38879255a25d3c92d5e44e04ae6cec6f'],
  b6: ['165f6e37dce68623721b423839de8be5', '9ecce42647a20130c1f39a5d4cb75743'],
  b7: ['8c03f828fec3ef71311cd463b6759d99', 'cbcfe4450ddf6f3ad90b1b398090fe4a'],
};

/** One stage of EfficientNet-B0 (Keras' `DEFAULT_BLOCKS_ARGS` entries, camelCased). */
export interface EfficientNetBlockArgs {
  kernelSize: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  idSkip: boolean;
  strides: number;
  seRatio: number;
}

/** Keras' `DEFAULT_BLOCKS_ARGS`: the seven MBConv stages of EfficientNet-B0. */
export const DEFAULT_BLOCKS_ARGS: readonly EfficientNetBlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
];

/** Standard deviations of ImageNet RGB (Keras' `IMAGENET_STDDEV_RGB`). */
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];

/** EfficientNetB0..B7 arguments: the application options plus Keras' `**kwargs` of `EfficientNet`. */
export interface EfficientNetArgs extends ApplicationArgs {
  /** Rate of the per-sample dropout before each residual Add, scaled up linearly over the blocks (default 0.2). */
  dropConnectRate?: number;
  /** Channel counts are rounded to multiples of this (default 8). */
  depthDivisor?: number;
  /** Activation of the stem, the blocks and the top (default 'swish'). */
  activation?: ActivationIdentifier;
  /** The MBConv stages (default `DEFAULT_BLOCKS_ARGS`). */
  blocksArgs?: readonly EfficientNetBlockArgs[];
}

// Keras' CONV_KERNEL_INITIALIZER and DENSE_KERNEL_INITIALIZER; each layer gets its own instance,
// as Keras deserializes the config dict per layer.
const convInit = () => new initializers.VarianceScaling({ scale: 2.0, mode: 'fan_out', distribution: 'truncated_normal' });
const denseInit = () => new initializers.VarianceScaling({ scale: 1.0 / 3.0, mode: 'fan_out', distribution: 'uniform' });

/** Keras' EfficientNet `block`: expand, depthwise, squeeze-and-excite, project, dropout + residual Add. */
function block(
  inputs: KerasTensor,
  activation: ActivationIdentifier,
  dropRate: number,
  name: string,
  { filtersIn, filtersOut, kernelSize, strides, expandRatio, seRatio, idSkip }: Omit<EfficientNetBlockArgs, 'repeats'>,
): KerasTensor {
  const filters = filtersIn * expandRatio;
  let x = inputs;
  if (expandRatio !== 1) {
    x = new Conv2D(filters, 1, { padding: 'same', useBias: false, kernelInitializer: convInit(), name: `${name}expand_conv` }).apply(x) as KerasTensor;
    x = new BatchNormalization({ axis: 3, name: `${name}expand_bn` }).apply(x) as KerasTensor;
    x = new Activation(activation, { name: `${name}expand_activation` }).apply(x) as KerasTensor;
  }
  let convPad: 'same' | 'valid' = 'same';
  if (strides === 2) {
    x = new ZeroPadding2D(correctPad(x, kernelSize), { name: `${name}dwconv_pad` }).apply(x) as KerasTensor;
    convPad = 'valid';
  }
  x = new DepthwiseConv2D(kernelSize, {
    strides,
    padding: convPad,
    useBias: false,
    depthwiseInitializer: convInit(),
    name: `${name}dwconv`,
  }).apply(x) as KerasTensor;
  x = new BatchNormalization({ axis: 3, name: `${name}bn` }).apply(x) as KerasTensor;
  x = new Activation(activation, { name: `${name}activation` }).apply(x) as KerasTensor;

  if (seRatio > 0 && seRatio <= 1) {
    const filtersSe = Math.max(1, Math.trunc(filtersIn * seRatio));
    let se = new GlobalAveragePooling2D({ name: `${name}se_squeeze` }).apply(x) as KerasTensor;
    se = new Reshape([1, 1, filters], { name: `${name}se_reshape` }).apply(se) as KerasTensor;
    se = new Conv2D(filtersSe, 1, { padding: 'same', activation, kernelInitializer: convInit(), name: `${name}se_reduce` }).apply(se) as KerasTensor;
    se = new Conv2D(filters, 1, { padding: 'same', activation: 'sigmoid', kernelInitializer: convInit(), name: `${name}se_expand` }).apply(se) as KerasTensor;
    x = new Multiply({ name: `${name}se_excite` }).apply([x, se]) as KerasTensor;
  }

  x = new Conv2D(filtersOut, 1, { padding: 'same', useBias: false, kernelInitializer: convInit(), name: `${name}project_conv` }).apply(x) as KerasTensor;
  x = new BatchNormalization({ axis: 3, name: `${name}project_bn` }).apply(x) as KerasTensor;
  if (idSkip && strides === 1 && filtersIn === filtersOut) {
    // Stochastic depth: one mask value per sample, shared by every pixel and channel.
    if (dropRate > 0) x = new Dropout(dropRate, { noiseShape: [null, 1, 1, 1], name: `${name}drop` }).apply(x) as KerasTensor;
    x = new Add({ name: `${name}add` }).apply([x, inputs]) as KerasTensor;
  }
  return x;
}

/** Keras' `round_filters`: scale by the width coefficient, round to `divisor`, never more than 10% down. */
export function roundFilters(filters: number, widthCoefficient: number, divisor = 8): number {
  const scaled = filters * widthCoefficient;
  let out = Math.max(divisor, Math.floor(Math.trunc(scaled + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * scaled) out += divisor;
  return out;
}

/** Keras' `round_repeats`: `ceil(depth_coefficient * repeats)`. */
export function roundRepeats(repeats: number, depthCoefficient: number): number {
  return Math.ceil(depthCoefficient * repeats);
}

/** Keras' `EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate, ...)`. */
async function efficientNet(
  widthCoefficient: number,
  depthCoefficient: number,
  defaultSize: number,
  dropoutRate: number,
  modelName: string,
  fnName: string,
  args: EfficientNetArgs,
): Promise<Model> {
  const dropConnectRate = args.dropConnectRate ?? 0.2;
  const depthDivisor = args.depthDivisor ?? 8;
  const activation = args.activation ?? 'swish';
  const blocksArgs = args.blocksArgs ?? DEFAULT_BLOCKS_ARGS;
  const r = await resolveApplicationArgs(args, fnName, {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded. Received: weights=${w}`,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top\` as true, \`classes\` should be 1000. Received: classes=${c}`,
  });
  const { includeTop, weights, classes, classifierActivation, inputTensor } = r;
  for (const [i, b] of blocksArgs.entries()) {
    if (!(b.repeats > 0)) throw new ValueError(`${fnName}: blocksArgs[${i}].repeats must be positive. Received: repeats=${b.repeats}`);
  }
  const img = imageInput(inputTensor, applicationInputShape(args.inputShape, r, defaultSize, 32));
  const round = (f: number) => roundFilters(f, widthCoefficient, depthDivisor);

  // Stem: the ImageNet normalization is part of the model.
  let x = new Rescaling(1.0 / 255.0).apply(img) as KerasTensor;
  x = new Normalization({ axis: 3 }).apply(x) as KerasTensor;
  if (weights === 'imagenet') {
    // Normalization divides by sqrt(variance) = std while the original models divided by the
    // variance itself (std^2): a second division by std matches them (keras-team issue 49930).
    x = new Rescaling(IMAGENET_STDDEV_RGB.map((s) => 1.0 / Math.sqrt(s))).apply(x) as KerasTensor;
  }
  x = new ZeroPadding2D(correctPad(x, 3), { name: 'stem_conv_pad' }).apply(x) as KerasTensor;
  x = new Conv2D(round(32), 3, { strides: 2, padding: 'valid', useBias: false, kernelInitializer: convInit(), name: 'stem_conv' }).apply(x) as KerasTensor;
  x = new BatchNormalization({ axis: 3, name: 'stem_bn' }).apply(x) as KerasTensor;
  x = new Activation(activation, { name: 'stem_activation' }).apply(x) as KerasTensor;

  const totalBlocks = blocksArgs.reduce((s, a) => s + roundRepeats(a.repeats, depthCoefficient), 0);
  let b = 0;
  blocksArgs.forEach((stage, i) => {
    const filtersIn = round(stage.filtersIn);
    const filtersOut = round(stage.filtersOut);
    const repeats = roundRepeats(stage.repeats, depthCoefficient);
    for (let j = 0; j < repeats; j++) {
      // Only the first block of a stage strides and changes the width.
      x = block(x, activation, (dropConnectRate * b) / totalBlocks, `block${i + 1}${String.fromCharCode(j + 97)}_`, {
        ...stage,
        strides: j > 0 ? 1 : stage.strides,
        filtersIn: j > 0 ? filtersOut : filtersIn,
        filtersOut,
      });
      b += 1;
    }
  });

  x = new Conv2D(round(1280), 1, { padding: 'same', useBias: false, kernelInitializer: convInit(), name: 'top_conv' }).apply(x) as KerasTensor;
  x = new BatchNormalization({ axis: 3, name: 'top_bn' }).apply(x) as KerasTensor;
  x = new Activation(activation, { name: 'top_activation' }).apply(x) as KerasTensor;
  if (includeTop) {
    x = new GlobalAveragePooling2D({ name: 'avg_pool' }).apply(x) as KerasTensor;
    if (dropoutRate > 0) x = new Dropout(dropoutRate, { name: 'top_dropout' }).apply(x) as KerasTensor;
    x = new Dense(classes, { activation: classifierActivation, kernelInitializer: denseInit(), name: 'predictions' }).apply(x) as KerasTensor;
  } else {
    x = applyPooling(x, args.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }

  const key = modelName.slice(-2);
  const fname = `${modelName}${includeTop ? '.h5' : '_notop.h5'}`;
  const fileHash = WEIGHTS_HASHES[key]?.[includeTop ? 0 : 1] ?? null;
  return finishApplication(img, inputTensor, x, args.name ?? modelName, weights, { fname, origin: BASE_WEIGHTS_PATH + fname, fileHash });
}

/**
 * `keras.applications.EfficientNetB0` (224x224 by default): Keras' layer names, classes, order
 * and weight shapes; named `efficientnetb0`, 5,330,571 parameters (4,049,571 without the top).
 * The model takes [0, 255] pixels: Rescaling and Normalization layers are included.
 */
export async function EfficientNetB0(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.0, 1.0, 224, 0.2, 'efficientnetb0', 'EfficientNetB0', args);
}

/** `keras.applications.EfficientNetB1` (240x240 by default; width 1.0, depth 1.1): named `efficientnetb1`, 7,856,239 parameters. */
export async function EfficientNetB1(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.0, 1.1, 240, 0.2, 'efficientnetb1', 'EfficientNetB1', args);
}

/** `keras.applications.EfficientNetB2` (260x260 by default; width 1.1, depth 1.2): named `efficientnetb2`, 9,177,569 parameters. */
export async function EfficientNetB2(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.1, 1.2, 260, 0.3, 'efficientnetb2', 'EfficientNetB2', args);
}

/** `keras.applications.EfficientNetB3` (300x300 by default; width 1.2, depth 1.4): named `efficientnetb3`, 12,320,535 parameters. */
export async function EfficientNetB3(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.2, 1.4, 300, 0.3, 'efficientnetb3', 'EfficientNetB3', args);
}

/** `keras.applications.EfficientNetB4` (380x380 by default; width 1.4, depth 1.8): named `efficientnetb4`, 19,466,823 parameters. */
export async function EfficientNetB4(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.4, 1.8, 380, 0.4, 'efficientnetb4', 'EfficientNetB4', args);
}

/** `keras.applications.EfficientNetB5` (456x456 by default; width 1.6, depth 2.2): named `efficientnetb5`, 30,562,527 parameters. */
export async function EfficientNetB5(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.6, 2.2, 456, 0.4, 'efficientnetb5', 'EfficientNetB5', args);
}

/** `keras.applications.EfficientNetB6` (528x528 by default; width 1.8, depth 2.6): named `efficientnetb6`, 43,265,143 parameters. */
export async function EfficientNetB6(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(1.8, 2.6, 528, 0.5, 'efficientnetb6', 'EfficientNetB6', args);
}

/** `keras.applications.EfficientNetB7` (600x600 by default; width 2.0, depth 3.1): named `efficientnetb7`, 66,658,687 parameters. */
export async function EfficientNetB7(args: EfficientNetArgs = {}): Promise<Model> {
  return efficientNet(2.0, 3.1, 600, 0.5, 'efficientnetb7', 'EfficientNetB7', args);
}

/**
 * `keras.applications.efficientnet.preprocess_input`: a pass-through (the models normalize their
 * input themselves); returns `x` unchanged.
 */
export function preprocessInput<T>(x: T): T {
  return x;
}
