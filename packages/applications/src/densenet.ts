import type { KerasTensor, Tensor, TensorLike } from '@strata/core';
import { Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D, ZeroPadding2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { applicationInputShape, applyClassifier, finishApplication, imageInput, resolveApplicationArgs, tfKernelsWeightsFile } from './common';
import { type ApplicationArgs, type PreprocessInputOptions, preprocessInput as imagenetPreprocessInput } from './imagenet-utils';

const BASE_WEIGHTS_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/densenet/';

/** md5 of Keras' published files (keras/src/applications/densenet.py): [top, notop]. */
const WEIGHTS_HASHES: Record<string, [string, string]> = {
  densenet121: ['9d60b8095a5708f2dcce2bca79d332c7', '30ee3e1110167f948a6b9946edeeb738'],
  densenet169: ['d699b8f76981ab1b30698df4c175e90b', 'b8c4d4c20dd625c148057b9ff1c1176b'],
  densenet201: ['1ceb130c1ea1b78c3bf6114dbdfd8807', 'c13680b51ded0fb44dff2d8f86ac8bb1'],
};

// Every BatchNormalization of Keras' DenseNet uses epsilon 1.001e-5 (momentum stays 0.99).
const BN_EPSILON = 1.001e-5;
// The growth rate of every dense layer in the three published variants.
const GROWTH_RATE = 32;

function bn(name: string): BatchNormalization {
  return new BatchNormalization({ axis: 3, epsilon: BN_EPSILON, name });
}

/** Keras' `conv_block`: BN-ReLU-1x1(4k)-BN-ReLU-3x3(k), concatenated to its input. */
function convBlock(x: KerasTensor, growthRate: number, name: string): KerasTensor {
  let x1 = bn(`${name}_0_bn`).apply(x);
  x1 = new Activation('relu', { name: `${name}_0_relu` }).apply(x1);
  x1 = new Conv2D(4 * growthRate, 1, { useBias: false, name: `${name}_1_conv` }).apply(x1);
  x1 = bn(`${name}_1_bn`).apply(x1);
  x1 = new Activation('relu', { name: `${name}_1_relu` }).apply(x1);
  x1 = new Conv2D(growthRate, 3, { padding: 'same', useBias: false, name: `${name}_2_conv` }).apply(x1);
  return new Concatenate({ axis: 3, name: `${name}_concat` }).apply([x, x1]) as KerasTensor;
}

function denseBlock(x: KerasTensor, blocks: number, name: string): KerasTensor {
  let y = x;
  for (let i = 1; i <= blocks; i++) y = convBlock(y, GROWTH_RATE, `${name}_block${i}`);
  return y;
}

/** Keras' `transition_block`: BN-ReLU-1x1 conv to `int(channels * reduction)`, then 2x2 average pooling. */
function transitionBlock(x: KerasTensor, reduction: number, name: string): KerasTensor {
  let y = bn(`${name}_bn`).apply(x);
  y = new Activation('relu', { name: `${name}_relu` }).apply(y);
  y = new Conv2D(Math.trunc((y.shape[3] as number) * reduction), 1, { useBias: false, name: `${name}_conv` }).apply(y);
  return new AveragePooling2D(2, { strides: 2, name: `${name}_pool` }).apply(y);
}

/** Keras' generic `DenseNet(blocks, ...)`; the three published block tables are the exported variants. */
async function densenet(blocks: [number, number, number, number], modelName: string, fnName: string, args: ApplicationArgs): Promise<Model> {
  // Keras' DenseNet words both checks its own way (no "Received" in the weights message).
  const r = await resolveApplicationArgs(args, fnName, {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded. (${fnName} received weights=${w})`,
    classes: (c) => `If using \`weights\` as \`"imagenet"\` with \`include_top\` as true, \`classes\` should be 1000 (${fnName} received classes=${c})`,
  });
  const img = imageInput(r.inputTensor, applicationInputShape(args.inputShape, r, 224, 32));
  // Both paddings are unnamed in Keras (zero_padding2d, zero_padding2d_1 in a fresh session).
  let x = new ZeroPadding2D([[3, 3], [3, 3]]).apply(img);
  x = new Conv2D(64, 7, { strides: 2, useBias: false, name: 'conv1_conv' }).apply(x);
  x = bn('conv1_bn').apply(x);
  x = new Activation('relu', { name: 'conv1_relu' }).apply(x);
  x = new ZeroPadding2D([[1, 1], [1, 1]]).apply(x);
  x = new MaxPooling2D(3, { strides: 2, name: 'pool1' }).apply(x);

  x = denseBlock(x, blocks[0], 'conv2');
  x = transitionBlock(x, 0.5, 'pool2');
  x = denseBlock(x, blocks[1], 'conv3');
  x = transitionBlock(x, 0.5, 'pool3');
  x = denseBlock(x, blocks[2], 'conv4');
  x = transitionBlock(x, 0.5, 'pool4');
  x = denseBlock(x, blocks[3], 'conv5');

  x = bn('bn').apply(x);
  x = new Activation('relu', { name: 'relu' }).apply(x);

  x = applyClassifier(x, r, args.pooling, { avg: 'avg_pool', max: 'max_pool' });

  const file = tfKernelsWeightsFile(BASE_WEIGHTS_PATH, modelName, r.includeTop, WEIGHTS_HASHES[modelName]!);
  return finishApplication(img, r.inputTensor, x, args.name ?? modelName, r.weights, file);
}

/**
 * `keras.applications.DenseNet121` (Huang et al., 2017): 8,062,504 parameters (7,037,504
 * without the top), Keras' layer names and `model.layers` order so Keras' ImageNet files load
 * by topology. Default input 224x224 (at least 32x32). Use `densenetPreprocessInput`
 * (`mode: 'torch'`).
 */
export function DenseNet121(args: ApplicationArgs = {}): Promise<Model> {
  return densenet([6, 12, 24, 16], 'densenet121', 'DenseNet121', args);
}

/** `keras.applications.DenseNet169`: 14,307,880 parameters (12,642,880 without the top). */
export function DenseNet169(args: ApplicationArgs = {}): Promise<Model> {
  return densenet([6, 12, 32, 32], 'densenet169', 'DenseNet169', args);
}

/** `keras.applications.DenseNet201`: 20,242,984 parameters (18,321,984 without the top). */
export function DenseNet201(args: ApplicationArgs = {}): Promise<Model> {
  return densenet([6, 12, 48, 32], 'densenet201', 'DenseNet201', args);
}

/**
 * `keras.applications.densenet.preprocess_input`: RGB in [0, 255] scaled to [0, 1], then
 * normalized with the ImageNet mean and std (imagenet_utils' 'torch' mode).
 */
export function densenetPreprocessInput(x: Tensor | TensorLike, options: Omit<PreprocessInputOptions, 'mode'> = {}): Tensor {
  return imagenetPreprocessInput(x, { ...options, mode: 'torch' });
}
