import { type Config, type Tensor, ops, registerClass, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type AffineInterpolation, type FillMode, affineTransform, checkFillMode, checkInterpolation } from './affine';
import { elementwiseFactor, imageAxes, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface RandomShearArgs extends RandomImageArgs {
  /** `f` in [0, 1] (range [-f, f]) or a pair `[a, b]` of numbers in [0, 1] (sorted): the horizontal shear. */
  xFactor?: number | [number, number];
  /** As `xFactor`, vertically. */
  yFactor?: number | [number, number];
  interpolation?: AffineInterpolation;
  fillMode?: FillMode;
  fillValue?: number;
}

/**
 * `keras.layers.RandomShear`: during training, shears each image by `s_x ~ U[x_factor)`,
 * `s_y ~ U[y_factor)`, both negated together when a per-image `U[0, 1) > 0.5`: output pixel (x, y)
 * samples the input at `(x + s_x y, s_y x + y)`, via `affineTransform` (`fill_mode`,
 * `interpolation`, `fill_value`). As Keras, a number `f` means the range `[-f, f]`. Float32 output.
 */
export class RandomShear extends RandomImageLayer {
  static override className = 'RandomShear';

  readonly xFactor: [number, number];
  readonly yFactor: [number, number];
  readonly interpolation: AffineInterpolation;
  readonly fillMode: FillMode;
  readonly fillValue: number;

  constructor(xFactor?: number | [number, number], yFactor?: number | [number, number], options?: Omit<RandomShearArgs, 'xFactor' | 'yFactor'>);
  constructor(args: RandomShearArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomShearArgs>(['xFactor', 'yFactor'], args);
    super(a);
    this.xFactor = elementwiseFactor('RandomShear', 'x_factor', a.xFactor ?? 0, [0, 1], false);
    this.yFactor = elementwiseFactor('RandomShear', 'y_factor', a.yFactor ?? 0, [0, 1], false);
    this.interpolation = checkInterpolation('RandomShear', a.interpolation);
    this.fillMode = checkFillMode('RandomShear', a.fillMode);
    this.fillValue = a.fillValue ?? 0;
  }

  /**
   * Keras stores a number factor `f` as `(-f, f)`, which its own constructor then refuses (pairs
   * must lie in [0, 1]); a stored symmetric pair is read back as the number it came from.
   */
  static override fromConfig<T extends Layer>(this: new (args: never) => T, config: Config): T {
    const unpair = (v: unknown) => (Array.isArray(v) && v.length === 2 && typeof v[1] === 'number' && v[0] === -v[1] && v[1] > 0 ? v[1] : v);
    return Layer.fromConfig.call(RandomShear, { ...config, x_factor: unpair(config.x_factor), y_factor: unpair(config.y_factor) } as Config) as unknown as T;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    imageAxes(`RandomShear "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return toFloat(x);
    return tidy(() => {
      let y = x.rank === 3 ? ops.expandDims(x, 0) : x;
      if (this.dataFormat === 'channels_first') y = ops.transpose(y, [0, 2, 3, 1]);
      const n = y.shape[0]!;
      // Keras' draw order: the signs, then the y shears, then the x shears (one each per image).
      const draws = ([lo, hi]: [number, number]) => Array.from({ length: n }, () => lo + (hi - lo) * this.seedGenerator.nextFloat());
      const signs = Array.from({ length: n }, () => (this.seedGenerator.nextFloat() > 0.5 ? -1 : 1));
      const sy = draws(this.yFactor);
      const sx = draws(this.xFactor);
      const transforms = signs.map((sign, i) => [1, sign * sx[i]!, 0, sign * sy[i]!, 1, 0, 0, 0]);
      let out = affineTransform(y, transforms, this.interpolation, this.fillMode, this.fillValue);
      if (this.dataFormat === 'channels_first') out = ops.transpose(out, [0, 3, 1, 2]);
      return x.rank === 3 ? ops.squeeze(out, 0) : out;
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      x_factor: [...this.xFactor],
      y_factor: [...this.yFactor],
      interpolation: this.interpolation,
      fill_mode: this.fillMode,
      fill_value: this.fillValue,
    };
  }
}
registerClass('layer', RandomShear, { module: 'keras.layers', className: 'RandomShear' });
