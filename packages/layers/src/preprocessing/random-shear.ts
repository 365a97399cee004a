import { type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type AffineInterpolation, type FillMode, affineTransform, checkFillMode, checkInterpolation } from './affine';
import { imageAxes } from './image-utils';
import { type RandomImageArgs, RandomImageLayer } from './random-image';

export interface RandomShearArgs extends RandomImageArgs {
  /** `f` (range [0, f]) or `[low, high]`, non-negative: the horizontal shear, a fraction of the width per row. */
  xFactor?: number | [number, number];
  /** As `xFactor`, vertically. */
  yFactor?: number | [number, number];
  interpolation?: AffineInterpolation;
  fillMode?: FillMode;
  fillValue?: number;
}

function shearRange(name: string, value: unknown): [number, number] {
  const v = typeof value === 'number' ? [0, value] : value;
  if (!(Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number' && e >= 0) && v[0] <= v[1])) {
    throw new ValueError(`RandomShear: \`${name}\` should be a non-negative number or a pair [low, high] of non-negative numbers. Received: ${name}=${JSON.stringify(value)}`);
  }
  return [v[0], v[1]];
}

/**
 * `keras.layers.RandomShear`: during training, shears each image by `s_x ~ ±U[x_factor]`,
 * `s_y ~ ±U[y_factor]` (one random sign per image): output pixel (x, y) samples the input at
 * `(x + s_x y, s_y x + y)`, via `affineTransform` (`fill_mode`, `interpolation`, `fill_value`).
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
    this.xFactor = shearRange('x_factor', a.xFactor ?? 0);
    this.yFactor = shearRange('y_factor', a.yFactor ?? 0);
    this.interpolation = checkInterpolation('RandomShear', a.interpolation);
    this.fillMode = checkFillMode('RandomShear', a.fillMode);
    this.fillValue = a.fillValue ?? 0;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    imageAxes(`RandomShear "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return x;
    return tidy(() => {
      let y = x.rank === 3 ? ops.expandDims(x, 0) : x;
      if (this.dataFormat === 'channels_first') y = ops.transpose(y, [0, 2, 3, 1]);
      const draw = ([lo, hi]: [number, number]) => lo + (hi - lo) * this.seedGenerator.nextFloat();
      const transforms = Array.from({ length: y.shape[0]! }, () => {
        const sign = this.seedGenerator.nextFloat() > 0.5 ? -1 : 1;
        const sx = sign * draw(this.xFactor);
        const sy = sign * draw(this.yFactor);
        return [1, sx, 0, sy, 1, 0, 0, 0];
      });
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
