import { type Config, type Shape, type Tensor, ValueError, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { type ResizeInterpolation, checkSize, imageAxes, resizeImage, smartResize, withSpatial } from './image-utils';

export interface ResizingArgs extends LayerArgs {
  height?: number;
  width?: number;
  /** 'bilinear' (default) or 'nearest', with half-pixel centers as tf.image.resize. */
  interpolation?: ResizeInterpolation;
  /** Crops the central window of the target aspect ratio before resizing. */
  cropToAspectRatio?: boolean;
  /** Not supported yet; only `false` is accepted. */
  padToAspectRatio?: boolean;
  fillMode?: 'constant';
  fillValue?: number;
  /** Not supported yet; only `false` is accepted. */
  antialias?: boolean;
  dataFormat?: DataFormat | null;
}

/** `keras.layers.Resizing`: resizes images to (height, width) (float outputs). */
export class Resizing extends Layer {
  static override className = 'Resizing';

  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeInterpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillMode: string;
  readonly fillValue: number;
  readonly antialias: boolean;
  readonly dataFormat: DataFormat;

  constructor(height: number, width: number, options?: Omit<ResizingArgs, 'height' | 'width'>);
  constructor(args: ResizingArgs);
  constructor(...args: unknown[]) {
    const a = positional<ResizingArgs>(['height', 'width', 'interpolation', 'cropToAspectRatio'], args);
    super(a);
    this.height = checkSize('Resizing', 'height', a.height);
    this.width = checkSize('Resizing', 'width', a.width);
    const interp = (a.interpolation ?? 'bilinear').toLowerCase();
    if (interp !== 'bilinear' && interp !== 'nearest') {
      throw new ValueError(`Resizing: \`interpolation\` must be one of "bilinear", "nearest" (the ones Strata supports). Received: interpolation=${a.interpolation}`);
    }
    this.interpolation = interp;
    this.cropToAspectRatio = a.cropToAspectRatio ?? false;
    this.padToAspectRatio = a.padToAspectRatio ?? false;
    if (this.padToAspectRatio) throw new ValueError('Resizing: pad_to_aspect_ratio=True is not supported yet.');
    if (this.cropToAspectRatio && this.padToAspectRatio) {
      throw new ValueError('Resizing: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True.');
    }
    this.fillMode = a.fillMode ?? 'constant';
    this.fillValue = a.fillValue ?? 0;
    this.antialias = a.antialias ?? false;
    if (this.antialias) throw new ValueError('Resizing: antialias=True is not supported yet.');
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const [hAxis] = imageAxes(`Resizing "${this.name}"`, x.shape, this.dataFormat);
    return tidy(() =>
      this.cropToAspectRatio
        ? smartResize(x, hAxis, this.height, this.width, this.interpolation)
        : resizeImage(x, hAxis, this.height, this.width, this.interpolation),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [hAxis] = imageAxes(`Resizing "${this.name}"`, shape, this.dataFormat);
    return withSpatial(shape, hAxis, this.height, this.width);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      data_format: this.dataFormat,
      crop_to_aspect_ratio: this.cropToAspectRatio,
      pad_to_aspect_ratio: this.padToAspectRatio,
      fill_mode: this.fillMode,
      fill_value: this.fillValue,
      antialias: this.antialias,
    };
  }
}
registerClass('layer', Resizing, { module: 'keras.layers', className: 'Resizing' });
