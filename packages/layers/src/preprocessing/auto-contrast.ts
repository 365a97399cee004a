import { type Config, type Shape, type Tensor, ops, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { transformValueRange } from './image-color-utils';
import { imageAxes, sortedValueRange, toFloat } from './image-utils';

export interface AutoContrastArgs extends LayerArgs {
  valueRange?: [number, number];
  dataFormat?: DataFormat | null;
}

/**
 * `keras.layers.AutoContrast`: stretches every image channel so its minimum maps to `value_range[0]`
 * and its maximum to `value_range[1]` (constant channels, whose scale is not finite, are kept).
 * Applied in training and inference alike (Keras ignores `training` here); float32 output.
 */
export class AutoContrast extends Layer {
  static override className = 'AutoContrast';

  readonly valueRange: [number, number];
  readonly dataFormat: DataFormat;

  constructor(valueRange?: [number, number], options?: Omit<AutoContrastArgs, 'valueRange'>);
  constructor(args: AutoContrastArgs);
  constructor(...args: unknown[]) {
    const a = positional<AutoContrastArgs>(['valueRange'], args);
    super(a);
    this.valueRange = sortedValueRange('AutoContrast', a.valueRange);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  override call(inputs: LayerOutput, _args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = imageAxes(`AutoContrast "${this.name}"`, x.shape, this.dataFormat);
    return tidy(() => {
      const xf = toFloat(x);
      const v = transformValueRange(xf, this.valueRange, [0, 255]);
      const low = ops.min(v, [hAxis, wAxis], true);
      const high = ops.max(v, [hAxis, wAxis], true);
      const scale = ops.divide(255, ops.subtract(high, low));
      const y = ops.clip(ops.subtract(ops.multiply(v, scale), ops.multiply(low, scale)), 0, 255);
      const out = transformValueRange(y, [0, 255], this.valueRange);
      return ops.where(ops.isfinite(ops.broadcastTo(scale, x.shape as number[])), out, xf);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), value_range: [...this.valueRange], data_format: this.dataFormat };
  }
}
registerClass('layer', AutoContrast, { module: 'keras.layers', className: 'AutoContrast' });
