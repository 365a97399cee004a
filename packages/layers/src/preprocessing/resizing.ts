import { type Config, type DataType, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { aspectCropBox, checkSize, cropImage, imageAxes, withSpatial } from './image-utils';
import { type ResizeMethod, checkResizeMethod, padToAspectRatio, resizeSpatial } from './resize-kernels';

export interface ResizingArgs extends LayerArgs {
  height?: number;
  width?: number;
  /**
   * 'bilinear' (default), 'nearest', 'bicubic', 'lanczos3', 'lanczos5' or 'area', with half-pixel
   * centres as `keras.ops.image.resize`.
   */
  interpolation?: ResizeMethod;
  /** Crops the central window of the target aspect ratio before resizing. */
  cropToAspectRatio?: boolean;
  /** Pads the short side evenly (with `fillValue`) to the target aspect ratio before resizing. */
  padToAspectRatio?: boolean;
  /** Only 'constant' exists in Keras. */
  fillMode?: 'constant';
  /** Value of the padding added by `padToAspectRatio`. */
  fillValue?: number;
  /** Widens the kernel by the scale factor when downscaling (no effect on 'nearest' and 'area'). */
  antialias?: boolean;
  dataFormat?: DataFormat | null;
}

const isIntDtype = (dtype: DataType): boolean => dtype === 'int32';

/**
 * `keras.layers.Resizing`: resizes images to (height, width), optionally cropping or padding to the
 * target aspect ratio first. Integer images come back as integers (rounded half to even), as Keras does.
 */
export class Resizing extends Layer {
  static override className = 'Resizing';

  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeMethod;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillMode: string;
  readonly fillValue: number;
  readonly antialias: boolean;
  readonly dataFormat: DataFormat;

  constructor(height: number, width: number, options?: Omit<ResizingArgs, 'height' | 'width'>);
  constructor(
    height: number,
    width: number,
    interpolation?: ResizeMethod,
    cropToAspectRatio?: boolean,
    padToAspectRatio?: boolean,
    fillMode?: 'constant',
    fillValue?: number,
    antialias?: boolean,
    dataFormat?: DataFormat | null,
    options?: LayerArgs,
  );
  constructor(args: ResizingArgs);
  constructor(...args: unknown[]) {
    const a = positional<ResizingArgs>(
      ['height', 'width', 'interpolation', 'cropToAspectRatio', 'padToAspectRatio', 'fillMode', 'fillValue', 'antialias', 'dataFormat'],
      args,
    );
    super(a);
    this.height = checkSize('Resizing', 'height', a.height);
    this.width = checkSize('Resizing', 'width', a.width);
    this.interpolation = checkResizeMethod('Resizing', a.interpolation ?? 'bilinear');
    this.cropToAspectRatio = a.cropToAspectRatio ?? false;
    this.padToAspectRatio = a.padToAspectRatio ?? false;
    if (this.cropToAspectRatio && this.padToAspectRatio) {
      throw new ValueError('Resizing: only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.');
    }
    this.fillMode = a.fillMode ?? 'constant';
    if (this.fillMode !== 'constant') {
      throw new ValueError(`Resizing: invalid value for argument \`fill_mode\`. Only 'constant' is supported. Received: fill_mode=${this.fillMode}`);
    }
    this.fillValue = a.fillValue ?? 0;
    if (typeof this.fillValue !== 'number' || !Number.isFinite(this.fillValue)) {
      throw new ValueError(`Resizing: \`fill_value\` must be a finite number. Received: fill_value=${String(this.fillValue)}`);
    }
    this.antialias = a.antialias ?? false;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const [hAxis] = imageAxes(`Resizing "${this.name}"`, x.shape, this.dataFormat);
    return tidy(() => {
      // 'nearest' only copies pixels, so integer images (padded with an integer fill) stay integers
      // throughout, exact beyond float32's 2^24; everything else computes in float32 like Keras.
      const keep = x.dtype === 'float32' || (this.interpolation === 'nearest' && isIntDtype(x.dtype) && Number.isInteger(this.fillValue));
      let y = keep ? x : ops.cast(x, 'float32');
      if (this.cropToAspectRatio) {
        const [h0, w0, ch, cw] = aspectCropBox(y.shape[hAxis]!, y.shape[hAxis + 1]!, this.height, this.width);
        y = cropImage(y, hAxis, h0, w0, ch, cw);
      } else if (this.padToAspectRatio) {
        y = padToAspectRatio(y, hAxis, this.height, this.width, this.fillValue);
      }
      const resized = resizeSpatial(y, hAxis, this.height, this.width, this.interpolation, this.antialias);
      if (resized.dtype === x.dtype) return resized;
      // Keras rounds integer images back (half to even) and saturate-casts to the input dtype.
      if (isIntDtype(x.dtype)) return ops.cast(ops.clip(ops.round(resized), -(2 ** 31), 2 ** 31 - 1), x.dtype);
      return ops.cast(resized, x.dtype);
    });
  }

  protected override outputDtype(inputDtype: DataType): DataType {
    return inputDtype === 'float32' ? this.dtype : inputDtype;
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
      crop_to_aspect_ratio: this.cropToAspectRatio,
      pad_to_aspect_ratio: this.padToAspectRatio,
      fill_mode: this.fillMode,
      fill_value: this.fillValue,
      antialias: this.antialias,
      data_format: this.dataFormat,
    };
  }
}
registerClass('layer', Resizing, { module: 'keras.layers', className: 'Resizing' });
