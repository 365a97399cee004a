import { type Config, type Shape, type Tensor, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { checkSize, cropImage, imageAxes, smartResize, toFloat, withSpatial } from './image-utils';

export interface CenterCropArgs extends LayerArgs {
  height?: number;
  width?: number;
  dataFormat?: DataFormat | null;
}

/**
 * `keras.layers.CenterCrop`: crops the central (height, width) window of images. An image smaller
 * than the target (on either axis) has the central box of the target aspect ratio cropped and
 * resized (bilinear, Keras `smart_resize`). The output is float32, as Keras casts to its compute dtype.
 */
export class CenterCrop extends Layer {
  static override className = 'CenterCrop';

  readonly height: number;
  readonly width: number;
  readonly dataFormat: DataFormat;

  constructor(height: number, width: number, options?: Omit<CenterCropArgs, 'height' | 'width'>);
  constructor(args: CenterCropArgs);
  constructor(...args: unknown[]) {
    const a = positional<CenterCropArgs>(['height', 'width'], args);
    super(a);
    this.height = checkSize('CenterCrop', 'height', a.height);
    this.width = checkSize('CenterCrop', 'width', a.width);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const [hAxis] = imageAxes(`CenterCrop "${this.name}"`, x.shape, this.dataFormat);
    return tidy(() => {
      const hDiff = x.shape[hAxis]! - this.height;
      const wDiff = x.shape[hAxis + 1]! - this.width;
      if (hDiff >= 0 && wDiff >= 0) {
        return cropImage(toFloat(x), hAxis, Math.trunc(hDiff / 2), Math.trunc(wDiff / 2), this.height, this.width);
      }
      return smartResize(x, hAxis, this.height, this.width);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [hAxis] = imageAxes(`CenterCrop "${this.name}"`, shape, this.dataFormat);
    return withSpatial(shape, hAxis, this.height, this.width);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), height: this.height, width: this.width, data_format: this.dataFormat };
  }
}
registerClass('layer', CenterCrop, { module: 'keras.layers', className: 'CenterCrop' });

