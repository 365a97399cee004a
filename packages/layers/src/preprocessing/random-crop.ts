import { type Config, type Shape, type Tensor, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { checkSize, cropImage, imageAxes, resizeImage, smartResize, withSpatial } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface RandomCropArgs extends RandomImageArgs {
  height?: number;
  width?: number;
}

/**
 * `keras.layers.RandomCrop`: during training, crops a random (height, width) window (one offset per
 * batch, as Keras 3; images smaller than the target are resized). At inference it crops the central
 * window of the target aspect ratio and resizes it (bilinear), as Keras does.
 */
export class RandomCrop extends RandomImageLayer {
  static override className = 'RandomCrop';

  readonly height: number;
  readonly width: number;

  constructor(height: number, width: number, seed?: number | null, options?: Omit<RandomCropArgs, 'height' | 'width' | 'seed'>);
  constructor(args: RandomCropArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomCropArgs>(['height', 'width', 'seed'], args);
    super(a);
    this.height = checkSize('RandomCrop', 'height', a.height);
    this.width = checkSize('RandomCrop', 'width', a.width);
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis] = imageAxes(`RandomCrop "${this.name}"`, x.shape, this.dataFormat);
    return tidy(() => {
      if (!args.training) return smartResize(x, hAxis, this.height, this.width);
      const hDiff = x.shape[hAxis]! - this.height;
      const wDiff = x.shape[hAxis + 1]! - this.width;
      if (hDiff < 0 || wDiff < 0) return resizeImage(x, hAxis, this.height, this.width, 'bilinear');
      const h0 = Math.min(Math.floor(this.seedGenerator.nextFloat() * (hDiff + 1)), hDiff);
      const w0 = Math.min(Math.floor(this.seedGenerator.nextFloat() * (wDiff + 1)), wDiff);
      return cropImage(x, hAxis, h0, w0, this.height, this.width);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [hAxis] = imageAxes(`RandomCrop "${this.name}"`, shape, this.dataFormat);
    return withSpatial(shape, hAxis, this.height, this.width);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}
registerClass('layer', RandomCrop, { module: 'keras.layers', className: 'RandomCrop' });
