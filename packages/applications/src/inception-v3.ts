import type { KerasTensor, Tensor, TensorLike } from '@strata/core';
import { Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { applicationInputShape, applyClassifier, finishApplication, imageInput, resolveApplicationArgs, tfKernelsWeightsFile } from './common';
import { type ApplicationArgs, type PreprocessInputOptions, preprocessInput as imagenetPreprocessInput } from './imagenet-utils';

const WEIGHTS_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/';
/** md5 of Keras' published files (keras/src/applications/inception_v3.py): [top, notop]. */
const WEIGHTS_HASHES = ['9a0d58056eeedaa3f26cb7ebd46da564', 'bcbd6486424b2319ff4ef7d526e38f63'] as const;

/**
 * Keras' `conv2d_bn`: bias-free Conv2D, BatchNormalization without gamma (`scale=False`, other
 * defaults), ReLU. Every call in Keras' InceptionV3 is unnamed, so the layers get the automatic
 * names (`conv2d_N`, `batch_normalization_N`, `activation_N`) in creation order.
 */
function conv2dBn(x: KerasTensor, filters: number, numRow: number, numCol: number, padding: 'same' | 'valid' = 'same', strides: [number, number] = [1, 1]): KerasTensor {
  let y = new Conv2D(filters, [numRow, numCol], { strides, padding, useBias: false }).apply(x);
  y = new BatchNormalization({ axis: 3, scale: false }).apply(y);
  return new Activation('relu').apply(y);
}

function avgPool3(x: KerasTensor): KerasTensor {
  return new AveragePooling2D([3, 3], { strides: [1, 1], padding: 'same' }).apply(x);
}

function concat(inputs: KerasTensor[], name?: string): KerasTensor {
  return new Concatenate(name != null ? { axis: 3, name } : { axis: 3 }).apply(inputs) as KerasTensor;
}

/**
 * `keras.applications.InceptionV3` (Szegedy et al., 2016): 23,851,784 parameters (21,802,784
 * without the top), with Keras' layer names and `model.layers` order so Keras' ImageNet files
 * load by topology. Default input 299x299 (at least 75x75). Use `inceptionV3PreprocessInput`
 * (`mode: 'tf'`).
 */
export async function InceptionV3(args: ApplicationArgs = {}): Promise<Model> {
  const r = await resolveApplicationArgs(args, 'InceptionV3', {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded; Received: weights=${w}`,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top=True\`, \`classes\` should be 1000. Received classes=${c}`,
  });
  const img = imageInput(r.inputTensor, applicationInputShape(args.inputShape, r, 299, 75));
  let x = conv2dBn(img, 32, 3, 3, 'valid', [2, 2]);
  x = conv2dBn(x, 32, 3, 3, 'valid');
  x = conv2dBn(x, 64, 3, 3);
  x = new MaxPooling2D([3, 3], { strides: [2, 2] }).apply(x);
  x = conv2dBn(x, 80, 1, 1, 'valid');
  x = conv2dBn(x, 192, 3, 3, 'valid');
  x = new MaxPooling2D([3, 3], { strides: [2, 2] }).apply(x);

  // mixed0..2 (35x35): 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1 (32, then 64).
  for (let i = 0; i < 3; i++) {
    const b1 = conv2dBn(x, 64, 1, 1);
    let b5 = conv2dBn(x, 48, 1, 1);
    b5 = conv2dBn(b5, 64, 5, 5);
    let b3 = conv2dBn(x, 64, 1, 1);
    b3 = conv2dBn(b3, 96, 3, 3);
    b3 = conv2dBn(b3, 96, 3, 3);
    const bp = conv2dBn(avgPool3(x), i === 0 ? 32 : 64, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }

  // mixed3: grid reduction 35 -> 17.
  {
    const b3 = conv2dBn(x, 384, 3, 3, 'valid', [2, 2]);
    let bd = conv2dBn(x, 64, 1, 1);
    bd = conv2dBn(bd, 96, 3, 3);
    bd = conv2dBn(bd, 96, 3, 3, 'valid', [2, 2]);
    const bp = new MaxPooling2D([3, 3], { strides: [2, 2] }).apply(x);
    x = concat([b3, bd, bp], 'mixed3');
  }

  // mixed4..7 (17x17): factorized 7x7 branches with 128, 160, 160, 192 inner channels.
  [128, 160, 160, 192].forEach((c, i) => {
    const b1 = conv2dBn(x, 192, 1, 1);
    let b7 = conv2dBn(x, c, 1, 1);
    b7 = conv2dBn(b7, c, 1, 7);
    b7 = conv2dBn(b7, 192, 7, 1);
    let bd = conv2dBn(x, c, 1, 1);
    bd = conv2dBn(bd, c, 7, 1);
    bd = conv2dBn(bd, c, 1, 7);
    bd = conv2dBn(bd, c, 7, 1);
    bd = conv2dBn(bd, 192, 1, 7);
    const bp = conv2dBn(avgPool3(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${4 + i}`);
  });

  // mixed8: grid reduction 17 -> 8.
  {
    let b3 = conv2dBn(x, 192, 1, 1);
    b3 = conv2dBn(b3, 320, 3, 3, 'valid', [2, 2]);
    let b7 = conv2dBn(x, 192, 1, 1);
    b7 = conv2dBn(b7, 192, 1, 7);
    b7 = conv2dBn(b7, 192, 7, 1);
    b7 = conv2dBn(b7, 192, 3, 3, 'valid', [2, 2]);
    const bp = new MaxPooling2D([3, 3], { strides: [2, 2] }).apply(x);
    x = concat([b3, b7, bp], 'mixed8');
  }

  // mixed9, mixed10 (8x8): expanded filter banks; the inner concatenations are mixed9_{i} and an unnamed one.
  for (let i = 0; i < 2; i++) {
    const b1 = conv2dBn(x, 320, 1, 1);
    const b3 = conv2dBn(x, 384, 1, 1);
    const b3a = conv2dBn(b3, 384, 1, 3);
    const b3b = conv2dBn(b3, 384, 3, 1);
    const b3cat = concat([b3a, b3b], `mixed9_${i}`);
    let bd = conv2dBn(x, 448, 1, 1);
    bd = conv2dBn(bd, 384, 3, 3);
    const bda = conv2dBn(bd, 384, 1, 3);
    const bdb = conv2dBn(bd, 384, 3, 1);
    const bdcat = concat([bda, bdb]);
    const bp = conv2dBn(avgPool3(x), 192, 1, 1);
    x = concat([b1, b3cat, bdcat, bp], `mixed${9 + i}`);
  }

  // Keras leaves the pooling without the top unnamed in InceptionV3.
  x = applyClassifier(x, r, args.pooling);
  const file = tfKernelsWeightsFile(WEIGHTS_BASE, 'inception_v3', r.includeTop, WEIGHTS_HASHES);
  return finishApplication(img, r.inputTensor, x, args.name ?? 'inception_v3', r.weights, file);
}

/** `keras.applications.inception_v3.preprocess_input`: RGB in [0, 255] to [-1, 1] (imagenet_utils' 'tf' mode). */
export function inceptionV3PreprocessInput(x: Tensor | TensorLike, options: Omit<PreprocessInputOptions, 'mode'> = {}): Tensor {
  return imagenetPreprocessInput(x, { ...options, mode: 'tf' });
}
