import type { KerasTensor } from '@strata/core';
import { Conv2D, Dense, Flatten, MaxPooling2D } from '@strata/layers';
import type { Model } from '@strata/models';
import { RESNET_WEIGHTS_MESSAGES, applicationInputShape, applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import type { ApplicationArgs } from './imagenet-utils';

const VGG_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/';

/** Keras' published files and md5 hashes (keras/src/applications/vgg16.py, vgg19.py). */
const VGG_FILES = {
  vgg16: {
    top: ['vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5', '64373286793e3c8b2b4e3219cbf3544b'],
    notop: ['vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', '6d6bbae143d832006294945121d1f1fc'],
  },
  vgg19: {
    top: ['vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5', 'cbe5617147190e668d6c5d5026f83318'],
    notop: ['vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', '253f8cb515780f3b799900260a226db6'],
  },
} as const;

async function vgg(kind: 'vgg16' | 'vgg19', convsPerBlock: number[], args: ApplicationArgs): Promise<Model> {
  const r = await resolveApplicationArgs(args, kind.toUpperCase(), RESNET_WEIGHTS_MESSAGES);
  const { includeTop, weights, classes, classifierActivation, inputTensor } = r;
  const img = imageInput(inputTensor, applicationInputShape(args.inputShape, r, 224, 32));
  const filters = [64, 128, 256, 512, 512];
  let x: KerasTensor = img;
  convsPerBlock.forEach((convs, b) => {
    for (let i = 1; i <= convs; i++) {
      x = new Conv2D(filters[b]!, [3, 3], { activation: 'relu', padding: 'same', name: `block${b + 1}_conv${i}` }).apply(x);
    }
    x = new MaxPooling2D([2, 2], { strides: [2, 2], name: `block${b + 1}_pool` }).apply(x);
  });
  if (includeTop) {
    x = new Flatten({ name: 'flatten' }).apply(x);
    x = new Dense(4096, { activation: 'relu', name: 'fc1' }).apply(x);
    x = new Dense(4096, { activation: 'relu', name: 'fc2' }).apply(x);
    x = new Dense(classes, { activation: classifierActivation, name: 'predictions' }).apply(x);
  } else {
    x = applyPooling(x, args.pooling);
  }
  const [file, hash] = VGG_FILES[kind][includeTop ? 'top' : 'notop'];
  const fname = file.split('/')[1]!;
  return finishApplication(img, inputTensor, x, args.name ?? kind, weights, { fname, origin: VGG_BASE + file, fileHash: hash });
}

/**
 * `keras.applications.VGG16`: 13 3x3 convolutions in 5 blocks + 3 dense layers (138,357,544
 * parameters; 14,714,688 without the top). Layer names, order and weight shapes are Keras', so
 * Keras' ImageNet file loads by topology. Use `preprocessInput(x, { mode: 'caffe' })`.
 */
export function VGG16(args: ApplicationArgs = {}): Promise<Model> {
  return vgg('vgg16', [2, 2, 3, 3, 3], args);
}

/** `keras.applications.VGG19`: as VGG16 with 4 convolutions in blocks 3-5 (143,667,240 / 20,024,384 parameters). */
export function VGG19(args: ApplicationArgs = {}): Promise<Model> {
  return vgg('vgg19', [2, 2, 4, 4, 4], args);
}
