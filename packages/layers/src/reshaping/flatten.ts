import { type Config, type Shape, type Tensor, ops, registerClass, tidy } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, isOptionsObject, normalizeDataFormat } from '../utils/args';

export interface FlattenArgs extends LayerArgs {
  /** `'channels_last'` (default) or `'channels_first'`: with channels_first, channels are moved last before flattening. */
  dataFormat?: DataFormat | null;
}

/** `keras.layers.Flatten`: `(batch, ...)` to `(batch, prod(...))`, row-major (channels_last order). */
export class Flatten extends Layer {
  static override className = 'Flatten';
  readonly dataFormat: DataFormat;

  constructor(dataFormat?: DataFormat | null, options?: Omit<FlattenArgs, 'dataFormat'>);
  constructor(args?: FlattenArgs);
  constructor(dataFormatOrArgs?: DataFormat | null | FlattenArgs, options: Omit<FlattenArgs, 'dataFormat'> = {}) {
    const a: FlattenArgs = isOptionsObject(dataFormatOrArgs)
      ? (dataFormatOrArgs as FlattenArgs)
      : { ...options, dataFormat: dataFormatOrArgs as DataFormat | null | undefined };
    super(a);
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.inputSpec = new InputSpec({ minNdim: 1 });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    return tidy(() => {
      let y = x;
      if (this.dataFormat === 'channels_first' && x.rank > 2) {
        y = ops.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
      }
      return ops.reshape(y, [x.shape[0]!, -1]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const rest = shape.slice(1);
    let flat: number | null;
    if (rest.length === 0) flat = 1;
    else if (rest.some((d) => d == null)) flat = null;
    else flat = (rest as number[]).reduce((p, d) => p * d, 1);
    return [shape[0] ?? null, flat];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}
registerClass('layer', Flatten, { module: 'keras.layers', className: 'Flatten' });
