import { type Config, type Shape, type Tensor, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { aspectCropBox, checkSize, cropImage, imageAxes, resizeImage, toFloat, withSpatial } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface RandomCropArgs extends RandomImageArgs {
  height?: number;
  width?: number;
}

/**
 * `keras.layers.RandomCrop`: during training, crops a (height, width) window at a random offset
 * `int(U[0, H - height + 1))`, `int(U[0, W - width + 1))` shared by the whole batch, when the image
 * is strictly larger than the target on both axes. Otherwise (as Keras) it slices a (height, width)
 * window at the offset of the central target-aspect-ratio box and resizes what it got (bilinear)
 * to (height, width). Float32 output in training. At inference Keras 3 returns the input
 * unchanged (keras-team/keras#21868), and so does this layer.
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
    if (!args.training) return x;
    return tidy(() => {
      const inH = x.shape[hAxis]!;
      const inW = x.shape[hAxis + 1]!;
      let h0: number;
      let w0: number;
      if (inH > this.height && inW > this.width) {
        h0 = Math.min(Math.trunc(this.seedGenerator.nextFloat() * (inH - this.height + 1)), inH - this.height);
        w0 = Math.min(Math.trunc(this.seedGenerator.nextFloat() * (inW - this.width + 1)), inW - this.width);
      } else {
        [h0, w0] = aspectCropBox(inH, inW, this.height, this.width);
      }
      // Python slicing clips the window to the image; a smaller result is resized to the target.
      const ch = Math.min(this.height, inH - h0);
      const cw = Math.min(this.width, inW - w0);
      const crop = cropImage(toFloat(x), hAxis, h0, w0, ch, cw);
      return ch === this.height && cw === this.width ? crop : resizeImage(crop, hAxis, this.height, this.width, 'bilinear');
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
