import type { KerasTensor } from '@strata/core';
import { Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { RESNET_WEIGHTS_MESSAGES, applicationInputShape, applyClassifier, finishApplication, imageInput, resolveApplicationArgs, tfKernelsWeightsFile } from './common';
import type { ApplicationArgs } from './imagenet-utils';

const RESNET_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/resnet/';

/** Keras' `WEIGHTS_HASHES` (keras/src/applications/resnet.py): md5 of the top / no-top files. */
const WEIGHTS_HASHES: Record<string, [string, string]> = {
  resnet50: ['2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626'],
  resnet101: ['f1aeb4b969a6efcfb50fad2f0c20cfc5', '88cf7a10940856eca736dc7b7e228a21'],
  resnet152: ['100835be76be38e30d865e96f2aaae62', 'ee4c566cf9a93f14d82f913c2dc6dd0c'],
  resnet50v2: ['3ef43a0b657b3be2300d5770ece849e0', 'fac2f116257151a9d068a22e544a4917'],
  resnet101v2: ['6343647c601c52e1368623803854d971', 'c0ed64b8031c3730f411d2eb4eea35b5'],
  resnet152v2: ['a49b44d1979771252814e80f8ec446f9', 'ed17cf2e0169df9d443503ef94b23b33'],
};

// Keras' ResNets use BatchNormalization(epsilon=1.001e-5) with the default momentum 0.99.
const BN_EPSILON = 1.001e-5;

function bn(name: string): BatchNormalization {
  return new BatchNormalization({ axis: 3, epsilon: BN_EPSILON, name });
}

/** Keras' `residual_block_v1`: bottleneck 1x1 -> 3x3 -> 1x1(4f), post-activation, projection shortcut in block 1. */
function blockV1(x: KerasTensor, filters: number, stride: number, convShortcut: boolean, name: string): KerasTensor {
  let shortcut: KerasTensor;
  if (convShortcut) {
    shortcut = new Conv2D(4 * filters, 1, { strides: stride, name: `${name}_0_conv` }).apply(x);
    shortcut = bn(`${name}_0_bn`).apply(shortcut);
  } else {
    shortcut = x;
  }
  let y = new Conv2D(filters, 1, { strides: stride, name: `${name}_1_conv` }).apply(x);
  y = bn(`${name}_1_bn`).apply(y);
  y = new Activation('relu', { name: `${name}_1_relu` }).apply(y);
  y = new Conv2D(filters, 3, { padding: 'same', name: `${name}_2_conv` }).apply(y);
  y = bn(`${name}_2_bn`).apply(y);
  y = new Activation('relu', { name: `${name}_2_relu` }).apply(y);
  y = new Conv2D(4 * filters, 1, { name: `${name}_3_conv` }).apply(y);
  y = bn(`${name}_3_bn`).apply(y);
  y = new Add({ name: `${name}_add` }).apply([shortcut, y]) as KerasTensor;
  return new Activation('relu', { name: `${name}_out` }).apply(y);
}

function stackV1(x: KerasTensor, filters: number, blocks: number, stride1: number, name: string): KerasTensor {
  let y = blockV1(x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) y = blockV1(y, filters, 1, false, `${name}_block${i}`);
  return y;
}

/** Keras' `residual_block_v2`: pre-activation bottleneck; the stride is on the 3x3 conv of the last block. */
function blockV2(x: KerasTensor, filters: number, stride: number, convShortcut: boolean, name: string): KerasTensor {
  let preact = bn(`${name}_preact_bn`).apply(x);
  preact = new Activation('relu', { name: `${name}_preact_relu` }).apply(preact);
  let shortcut: KerasTensor;
  if (convShortcut) shortcut = new Conv2D(4 * filters, 1, { strides: stride, name: `${name}_0_conv` }).apply(preact);
  else shortcut = stride > 1 ? new MaxPooling2D(1, { strides: stride }).apply(x) : x;
  let y = new Conv2D(filters, 1, { strides: 1, useBias: false, name: `${name}_1_conv` }).apply(preact);
  y = bn(`${name}_1_bn`).apply(y);
  y = new Activation('relu', { name: `${name}_1_relu` }).apply(y);
  y = new ZeroPadding2D([[1, 1], [1, 1]], { name: `${name}_2_pad` }).apply(y);
  y = new Conv2D(filters, 3, { strides: stride, useBias: false, name: `${name}_2_conv` }).apply(y);
  y = bn(`${name}_2_bn`).apply(y);
  y = new Activation('relu', { name: `${name}_2_relu` }).apply(y);
  y = new Conv2D(4 * filters, 1, { name: `${name}_3_conv` }).apply(y);
  return new Add({ name: `${name}_out` }).apply([shortcut, y]) as KerasTensor;
}

function stackV2(x: KerasTensor, filters: number, blocks: number, stride1: number, name: string): KerasTensor {
  let y = blockV2(x, filters, 1, true, `${name}_block1`);
  for (let i = 2; i < blocks; i++) y = blockV2(y, filters, 1, false, `${name}_block${i}`);
  return blockV2(y, filters, stride1, false, `${name}_block${blocks}`);
}

/** Keras' generic `ResNet(stack_fn, preact, use_bias, model_name, ...)`. */
async function resnet(modelName: string, fnName: string, preact: boolean, stackFn: (x: KerasTensor) => KerasTensor, args: ApplicationArgs): Promise<Model> {
  const r = await resolveApplicationArgs(args, fnName, RESNET_WEIGHTS_MESSAGES);
  const img = imageInput(r.inputTensor, applicationInputShape(args.inputShape, r, 224, 32));
  let x = new ZeroPadding2D([[3, 3], [3, 3]], { name: 'conv1_pad' }).apply(img);
  x = new Conv2D(64, 7, { strides: 2, useBias: true, name: 'conv1_conv' }).apply(x);
  if (!preact) {
    x = bn('conv1_bn').apply(x);
    x = new Activation('relu', { name: 'conv1_relu' }).apply(x);
  }
  x = new ZeroPadding2D([[1, 1], [1, 1]], { name: 'pool1_pad' }).apply(x);
  x = new MaxPooling2D(3, { strides: 2, name: 'pool1_pool' }).apply(x);
  x = stackFn(x);
  if (preact) {
    x = bn('post_bn').apply(x);
    x = new Activation('relu', { name: 'post_relu' }).apply(x);
  }
  x = applyClassifier(x, r, args.pooling, { avg: 'avg_pool', max: 'max_pool' });
  const file = tfKernelsWeightsFile(RESNET_BASE, modelName, r.includeTop, WEIGHTS_HASHES[modelName]!);
  return finishApplication(img, r.inputTensor, x, args.name ?? modelName, r.weights, file);
}

function v1(depths: [number, number, number, number]): (x: KerasTensor) => KerasTensor {
  return (x) => {
    let y = stackV1(x, 64, depths[0], 1, 'conv2');
    y = stackV1(y, 128, depths[1], 2, 'conv3');
    y = stackV1(y, 256, depths[2], 2, 'conv4');
    return stackV1(y, 512, depths[3], 2, 'conv5');
  };
}

function v2(depths: [number, number, number, number]): (x: KerasTensor) => KerasTensor {
  return (x) => {
    let y = stackV2(x, 64, depths[0], 2, 'conv2');
    y = stackV2(y, 128, depths[1], 2, 'conv3');
    y = stackV2(y, 256, depths[2], 2, 'conv4');
    return stackV2(y, 512, depths[3], 1, 'conv5');
  };
}

/**
 * `keras.applications.ResNet50` (25,636,712 parameters; 23,587,712 without the top): Keras'
 * layer names and `model.layers` order, so Keras' ImageNet file loads by topology. Use
 * `preprocessInput(x, { mode: 'caffe' })`.
 */
export function ResNet50(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet50', 'ResNet50', false, v1([3, 4, 6, 3]), args);
}

/** `keras.applications.ResNet101` (44,707,176 parameters with the top). */
export function ResNet101(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet101', 'ResNet101', false, v1([3, 4, 23, 3]), args);
}

/** `keras.applications.ResNet152` (60,419,944 parameters with the top). */
export function ResNet152(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet152', 'ResNet152', false, v1([3, 8, 36, 3]), args);
}

/** `keras.applications.ResNet50V2` (pre-activation; 25,613,800 parameters with the top). Use `preprocessInput(x, { mode: 'tf' })`. */
export function ResNet50V2(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet50v2', 'ResNet50V2', true, v2([3, 4, 6, 3]), args);
}

/** `keras.applications.ResNet101V2` (44,675,560 parameters with the top). */
export function ResNet101V2(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet101v2', 'ResNet101V2', true, v2([3, 4, 23, 3]), args);
}

/** `keras.applications.ResNet152V2` (60,380,648 parameters with the top). */
export function ResNet152V2(args: ApplicationArgs = {}): Promise<Model> {
  return resnet('resnet152v2', 'ResNet152V2', true, v2([3, 8, 36, 3]), args);
}
