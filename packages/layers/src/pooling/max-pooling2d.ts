import { type Config, type Shape, ShapeError, type Tensor, formatShape, ops, registerClass, tidy } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import {
  type DataFormat,
  type Padding,
  convOutputLength,
  normalizeDataFormat,
  normalizePadding,
  normalizeTuple,
  positional,
} from '../utils/args';

export interface MaxPooling2DArgs extends LayerArgs {
  /** Window size (default `[2, 2]`; an int means square). */
  poolSize?: number | [number, number];
  /** Step of the window (default: `poolSize`). */
  strides?: number | [number, number] | null;
  padding?: Padding;
  dataFormat?: DataFormat | null;
}

/** `keras.layers.MaxPooling2D`: maximum over `poolSize` windows of each channel. */
export class MaxPooling2D extends Layer {
  static override className = 'MaxPooling2D';

  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;

  constructor(
    poolSize?: number | [number, number],
    strides?: number | [number, number] | null,
    padding?: Padding,
    options?: Omit<MaxPooling2DArgs, 'poolSize' | 'strides' | 'padding'>,
  );
  constructor(poolSize: number | [number, number], options?: Omit<MaxPooling2DArgs, 'poolSize'>);
  constructor(args?: MaxPooling2DArgs);
  constructor(...args: unknown[]) {
    const a = positional<MaxPooling2DArgs>(['poolSize', 'strides', 'padding', 'dataFormat'], args);
    super(a);
    this.poolSize = normalizeTuple(a.poolSize ?? 2, 2, 'pool_size') as [number, number];
    this.strides = normalizeTuple(a.strides ?? this.poolSize, 2, 'strides') as [number, number];
    this.padding = normalizePadding(a.padding);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.inputSpec = new InputSpec({ ndim: 4 });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      let x = inputs as Tensor;
      this.computeOutputShape(x.shape); // rejects windows larger than the (padded) input
      if (this.dataFormat === 'channels_first') x = ops.transpose(x, [0, 2, 3, 1]);
      let y = ops.maxPool(x, this.poolSize, this.strides, this.padding);
      if (this.dataFormat === 'channels_first') y = ops.transpose(y, [0, 3, 1, 2]);
      return y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const last = this.dataFormat === 'channels_last';
    const [h, w] = last ? [shape[1]!, shape[2]!] : [shape[2]!, shape[3]!];
    const spatial = [h, w].map((n, i) => {
      const out = convOutputLength(n, this.poolSize[i]!, this.strides[i]!, this.padding);
      if (out != null && out <= 0) {
        throw new ShapeError(
          `Layer "${this.name}": computed output size would be negative for input shape ${formatShape(shape)} ` +
            `with pool_size=(${this.poolSize.join(', ')}), strides=(${this.strides.join(', ')}), padding=${this.padding}.`,
        );
      }
      return out;
    });
    return last ? [shape[0] ?? null, spatial[0]!, spatial[1]!, shape[3] ?? null] : [shape[0] ?? null, shape[1] ?? null, spatial[0]!, spatial[1]!];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      pool_size: [...this.poolSize],
      padding: this.padding,
      strides: [...this.strides],
      data_format: this.dataFormat,
    };
  }
}
registerClass('layer', MaxPooling2D, { module: 'keras.layers', className: 'MaxPooling2D' });
