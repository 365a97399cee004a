import type { KerasTensor, Tensor, TensorLike } from '@strata/core';
import { Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, SeparableConv2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { RESNET_WEIGHTS_MESSAGES, applicationInputShape, applyClassifier, finishApplication, imageInput, resolveApplicationArgs, tfKernelsWeightsFile } from './common';
import { type ApplicationArgs, type PreprocessInputOptions, preprocessInput as imagenetPreprocessInput } from './imagenet-utils';

const WEIGHTS_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/xception/';
/** md5 of Keras' published files (keras/src/applications/xception.py): [top, notop]. */
const WEIGHTS_HASHES = ['0a58e3b7378bc2990ea3b43d5981f1f6', 'b0042744bf5b25fce3cb969f33bebb97'] as const;

// Xception keeps BatchNormalization's defaults (epsilon 1e-3, momentum 0.99).
function bn(name?: string): BatchNormalization {
  return new BatchNormalization(name != null ? { axis: -1, name } : { axis: -1 });
}

function sepconv(x: KerasTensor, filters: number, name: string): KerasTensor {
  return new SeparableConv2D(filters, [3, 3], { padding: 'same', useBias: false, name }).apply(x);
}

/** The unnamed strided 1x1 projection of the residual branch (conv2d_N + batch_normalization_N). */
function projection(x: KerasTensor, filters: number): KerasTensor {
  const r = new Conv2D(filters, [1, 1], { strides: [2, 2], padding: 'same', useBias: false }).apply(x);
  return bn().apply(r);
}

/**
 * A downsampling block of the entry/exit flow: [ReLU] SepConv-BN-ReLU-SepConv-BN, 3x3/2 max
 * pooling, plus the projected residual. Block 2 has no leading ReLU (its input is already
 * activated); Keras names that ReLU after the second separable conv, as reproduced here.
 */
function downBlock(x: KerasTensor, block: number, filters: [number, number], leadingRelu: boolean): KerasTensor {
  const residual = projection(x, filters[1]);
  const p = `block${block}`;
  let y = x;
  if (leadingRelu) y = new Activation('relu', { name: `${p}_sepconv1_act` }).apply(y);
  y = sepconv(y, filters[0], `${p}_sepconv1`);
  y = bn(`${p}_sepconv1_bn`).apply(y);
  y = new Activation('relu', { name: `${p}_sepconv2_act` }).apply(y);
  y = sepconv(y, filters[1], `${p}_sepconv2`);
  y = bn(`${p}_sepconv2_bn`).apply(y);
  y = new MaxPooling2D([3, 3], { strides: [2, 2], padding: 'same', name: `${p}_pool` }).apply(y);
  return new Add().apply([y, residual]) as KerasTensor;
}

/**
 * `keras.applications.Xception` (Chollet, 2017): 22,910,480 parameters (20,861,480 without the
 * top), with Keras' layer names and `model.layers` order so Keras' ImageNet files load by
 * topology. Default input 299x299 (at least 71x71). Use `xceptionPreprocessInput` (`mode: 'tf'`).
 */
export async function Xception(args: ApplicationArgs = {}): Promise<Model> {
  const r = await resolveApplicationArgs(args, 'Xception', {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), 'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded. (Xception received weights=${w})`,
    // Keras' Xception words this one as ResNet does.
    classes: RESNET_WEIGHTS_MESSAGES.classes,
  });
  const img = imageInput(r.inputTensor, applicationInputShape(args.inputShape, r, 299, 71));
  // Entry flow.
  let x = new Conv2D(32, [3, 3], { strides: [2, 2], useBias: false, name: 'block1_conv1' }).apply(img);
  x = bn('block1_conv1_bn').apply(x);
  x = new Activation('relu', { name: 'block1_conv1_act' }).apply(x);
  x = new Conv2D(64, [3, 3], { useBias: false, name: 'block1_conv2' }).apply(x);
  x = bn('block1_conv2_bn').apply(x);
  x = new Activation('relu', { name: 'block1_conv2_act' }).apply(x);
  x = downBlock(x, 2, [128, 128], false);
  x = downBlock(x, 3, [256, 256], true);
  x = downBlock(x, 4, [728, 728], true);

  // Middle flow: 8 identity-residual blocks of three ReLU-SepConv-BN.
  for (let i = 0; i < 8; i++) {
    const residual = x;
    const p = `block${i + 5}`;
    for (let j = 1; j <= 3; j++) {
      x = new Activation('relu', { name: `${p}_sepconv${j}_act` }).apply(x);
      x = sepconv(x, 728, `${p}_sepconv${j}`);
      x = bn(`${p}_sepconv${j}_bn`).apply(x);
    }
    x = new Add().apply([x, residual]) as KerasTensor;
  }

  // Exit flow.
  x = downBlock(x, 13, [728, 1024], true);
  x = sepconv(x, 1536, 'block14_sepconv1');
  x = bn('block14_sepconv1_bn').apply(x);
  x = new Activation('relu', { name: 'block14_sepconv1_act' }).apply(x);
  x = sepconv(x, 2048, 'block14_sepconv2');
  x = bn('block14_sepconv2_bn').apply(x);
  x = new Activation('relu', { name: 'block14_sepconv2_act' }).apply(x);

  // Keras leaves the pooling without the top unnamed in Xception.
  x = applyClassifier(x, r, args.pooling);
  const file = tfKernelsWeightsFile(WEIGHTS_BASE, 'xception', r.includeTop, WEIGHTS_HASHES);
  return finishApplication(img, r.inputTensor, x, args.name ?? 'xception', r.weights, file);
}

/** `keras.applications.xception.preprocess_input`: RGB in [0, 255] to [-1, 1] (imagenet_utils' 'tf' mode). */
export function xceptionPreprocessInput(x: Tensor | TensorLike, options: Omit<PreprocessInputOptions, 'mode'> = {}): Tensor {
  return imagenetPreprocessInput(x, { ...options, mode: 'tf' });
}
