import '../builtins';
import { type Config, type Dim, type Shape, type Tensor, ValueError, formatShape, ops, registerClass, tidy } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { adaptiveWindows } from './adaptive-pooling';

export interface AdaptivePooling1DArgs extends LayerArgs {
  /** Target length. */
  outputSize?: number | [number];
  dataFormat?: DataFormat | null;
}

export interface AdaptivePooling3DArgs extends LayerArgs {
  /** Target `(depth, height, width)`, or one integer for all three. */
  outputSize?: number | [number, number, number];
  dataFormat?: DataFormat | null;
}

/** Adaptive pooling of `x` along `axis` to `out` bins (the 2-D layers' window rule). */
function poolAxis(x: Tensor, axis: number, out: number, mode: 'avg' | 'max'): Tensor {
  const len = x.shape[axis]!;
  const parts = adaptiveWindows(len, out).map(([s, e]) => {
    const begin = x.shape.map((_, i) => (i === axis ? s : 0));
    const size = x.shape.map((d, i) => (i === axis ? e - s : d));
    const win = ops.slice(x, begin, size);
    return mode === 'avg' ? ops.mean(win, axis, true) : ops.max(win, axis, true);
  });
  return parts.length === 1 ? parts[0]! : ops.concatenate(parts, axis);
}

/** Adaptive pooling over `rank` spatial axes (1 or 3), channels_last or channels_first. */
abstract class AdaptivePoolingND extends Layer {
  readonly outputSize: number[];
  readonly dataFormat: DataFormat;
  protected abstract readonly mode: 'avg' | 'max';
  private readonly rank: number;

  constructor(rank: number, args: unknown[]) {
    const a = positional<AdaptivePooling1DArgs | AdaptivePooling3DArgs>(['outputSize', 'dataFormat'], args);
    super(a);
    this.rank = rank;
    const os = a.outputSize as unknown;
    const size = typeof os === 'number' ? new Array<number>(rank).fill(os) : Array.isArray(os) ? [...(os as number[])] : null;
    if (size == null || size.length !== rank || !size.every((d) => Number.isInteger(d) && d > 0)) {
      const what = rank === 1 ? 'an integer or tuple of 1 positive integer' : `an integer or tuple of ${rank} positive integers`;
      throw new ValueError(`\`output_size\` must be ${what}. Received: output_size=${JSON.stringify(os)}`);
    }
    this.outputSize = size;
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  private get firstSpatialAxis(): number {
    return this.dataFormat === 'channels_last' ? 1 : 2;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    return tidy(() => {
      let y = toFloat(x);
      this.outputSize.forEach((o, i) => {
        y = poolAxis(y, this.firstSpatialAxis + i, o, this.mode);
      });
      return y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Dim[];
    if (s.length !== this.rank + 2) {
      throw new ValueError(`Layer "${this.name}" expects ${this.rank + 2}D inputs; received shape ${formatShape(s)}.`);
    }
    return this.dataFormat === 'channels_last'
      ? [s[0] ?? null, ...this.outputSize, s[this.rank + 1] ?? null]
      : [s[0] ?? null, s[1] ?? null, ...this.outputSize];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), output_size: [...this.outputSize], data_format: this.dataFormat };
  }
}

/** `keras.layers.AdaptiveAveragePooling1D`: averages `outputSize` windows `[floor(i*L/O), ceil((i+1)*L/O))`. */
export class AdaptiveAveragePooling1D extends AdaptivePoolingND {
  static override className = 'AdaptiveAveragePooling1D';
  protected readonly mode = 'avg' as const;

  constructor(outputSize: number | [number], options?: Omit<AdaptivePooling1DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', AdaptiveAveragePooling1D, { module: 'keras.layers', className: 'AdaptiveAveragePooling1D' });

/** `keras.layers.AdaptiveMaxPooling1D`: as AdaptiveAveragePooling1D, with the max. */
export class AdaptiveMaxPooling1D extends AdaptivePoolingND {
  static override className = 'AdaptiveMaxPooling1D';
  protected readonly mode = 'max' as const;

  constructor(outputSize: number | [number], options?: Omit<AdaptivePooling1DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling1DArgs);
  constructor(...args: unknown[]) {
    super(1, args);
  }
}
registerClass('layer', AdaptiveMaxPooling1D, { module: 'keras.layers', className: 'AdaptiveMaxPooling1D' });

/** `keras.layers.AdaptiveAveragePooling3D`: adaptive averages over depth, height and width. */
export class AdaptiveAveragePooling3D extends AdaptivePoolingND {
  static override className = 'AdaptiveAveragePooling3D';
  protected readonly mode = 'avg' as const;

  constructor(outputSize: number | [number, number, number], options?: Omit<AdaptivePooling3DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', AdaptiveAveragePooling3D, { module: 'keras.layers', className: 'AdaptiveAveragePooling3D' });

/** `keras.layers.AdaptiveMaxPooling3D`: as AdaptiveAveragePooling3D, with the max. */
export class AdaptiveMaxPooling3D extends AdaptivePoolingND {
  static override className = 'AdaptiveMaxPooling3D';
  protected readonly mode = 'max' as const;

  constructor(outputSize: number | [number, number, number], options?: Omit<AdaptivePooling3DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling3DArgs);
  constructor(...args: unknown[]) {
    super(3, args);
  }
}
registerClass('layer', AdaptiveMaxPooling3D, { module: 'keras.layers', className: 'AdaptiveMaxPooling3D' });
