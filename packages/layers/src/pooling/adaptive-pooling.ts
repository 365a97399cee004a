import '../builtins';
import { type Config, type Dim, type Shape, type Tensor, ValueError, formatShape, ops, registerClass, tidy } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';
import { toFloat } from '../utils/tensors';

export interface AdaptivePooling2DArgs extends LayerArgs {
  /** Target `(height, width)`, or one integer for both. */
  outputSize?: number | [number, number];
  dataFormat?: DataFormat | null;
}

/** The `[start, end)` windows of adaptive pooling (as PyTorch / Keras): floor(i*L/O) .. ceil((i+1)*L/O). */
export function adaptiveWindows(length: number, out: number): [number, number][] {
  return Array.from({ length: out }, (_, i) => [Math.floor((i * length) / out), Math.ceil(((i + 1) * length) / out)]);
}

/** Adaptive pooling of `x` along `axis` to `out` bins (windows may overlap and differ in size). */
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

abstract class AdaptivePooling2D extends Layer {
  readonly outputSize: [number, number];
  readonly dataFormat: DataFormat;
  protected abstract readonly mode: 'avg' | 'max';

  constructor(args: unknown[]) {
    const a = positional<AdaptivePooling2DArgs>(['outputSize', 'dataFormat'], args);
    super(a);
    const os = a.outputSize;
    const size = typeof os === 'number' ? [os, os] : Array.isArray(os) ? [...os] : null;
    if (size == null || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ValueError(`\`output_size\` must be an integer or tuple of 2 positive integers. Received: output_size=${JSON.stringify(os)}`);
    }
    this.outputSize = size as [number, number];
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.inputSpec = new InputSpec({ ndim: 4 });
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const [hAxis, wAxis] = this.dataFormat === 'channels_last' ? [1, 2] : [2, 3];
    return tidy(() => poolAxis(poolAxis(toFloat(x), hAxis, this.outputSize[0], this.mode), wAxis, this.outputSize[1], this.mode));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Dim[];
    if (s.length !== 4) throw new ValueError(`Layer "${this.name}" expects 4D inputs; received shape ${formatShape(s)}.`);
    const [h, w] = this.outputSize;
    return this.dataFormat === 'channels_last' ? [s[0] ?? null, h, w, s[3] ?? null] : [s[0] ?? null, s[1] ?? null, h, w];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), output_size: [...this.outputSize], data_format: this.dataFormat };
  }
}

/**
 * `keras.layers.AdaptiveAveragePooling2D` (Keras 3): averages each of `outputSize` windows
 * `[floor(i*L/O), ceil((i+1)*L/O))` per spatial axis, so any input size gives `outputSize`.
 */
export class AdaptiveAveragePooling2D extends AdaptivePooling2D {
  static override className = 'AdaptiveAveragePooling2D';
  protected readonly mode = 'avg' as const;

  constructor(outputSize: number | [number, number], options?: Omit<AdaptivePooling2DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling2DArgs);
  constructor(...args: unknown[]) {
    super(args);
  }
}
registerClass('layer', AdaptiveAveragePooling2D, { module: 'keras.layers', className: 'AdaptiveAveragePooling2D' });

/** `keras.layers.AdaptiveMaxPooling2D` (Keras 3): as AdaptiveAveragePooling2D, with the max. */
export class AdaptiveMaxPooling2D extends AdaptivePooling2D {
  static override className = 'AdaptiveMaxPooling2D';
  protected readonly mode = 'max' as const;

  constructor(outputSize: number | [number, number], options?: Omit<AdaptivePooling2DArgs, 'outputSize'>);
  constructor(args: AdaptivePooling2DArgs);
  constructor(...args: unknown[]) {
    super(args);
  }
}
registerClass('layer', AdaptiveMaxPooling2D, { module: 'keras.layers', className: 'AdaptiveMaxPooling2D' });
