import { type Config, type Tensor, ops, registerClass, tidy } from '@strata/core';
import type { CallArgs, LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { type AffineInterpolation, type FillMode, affineTransform, checkFillMode, checkInterpolation } from './affine';
import { elementwiseFactor, imageAxes, toFloat } from './image-utils';
import { type RandomImageArgs, RandomImageLayer, kerasFactor } from './random-image';

type Factor = number | [number, number];

interface AffineArgs extends RandomImageArgs {
  fillMode?: FillMode;
  interpolation?: AffineInterpolation;
  fillValue?: number;
}

/** Shared by RandomTranslation/Rotation/Zoom: per-image random affine transforms in training; float32 output (also at inference, values unchanged). */
abstract class RandomAffineLayer extends RandomImageLayer {
  readonly fillMode: FillMode;
  readonly interpolation: AffineInterpolation;
  readonly fillValue: number;

  constructor(layer: string, a: AffineArgs) {
    super(a);
    this.fillMode = checkFillMode(layer, a.fillMode);
    this.interpolation = checkInterpolation(layer, a.interpolation);
    this.fillValue = a.fillValue ?? 0;
  }

  /** A uniform draw in [lo, hi) from the layer's seed stream. */
  protected draw(lo: number, hi: number): number {
    return lo + (hi - lo) * this.seedGenerator.nextFloat();
  }

  protected abstract transformFor(height: number, width: number): number[];

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    imageAxes(`${this.className} "${this.name}"`, x.shape, this.dataFormat);
    if (!args.training) return toFloat(x);
    return tidy(() => {
      let y = x.rank === 3 ? ops.expandDims(x, 0) : x;
      const cf = this.dataFormat === 'channels_first';
      if (cf) y = ops.transpose(y, [0, 2, 3, 1]);
      const [n, h, w] = y.shape as number[];
      const transforms = Array.from({ length: n! }, () => this.transformFor(h!, w!));
      let out = affineTransform(y, transforms, this.interpolation, this.fillMode, this.fillValue);
      if (cf) out = ops.transpose(out, [0, 3, 1, 2]);
      return x.rank === 3 ? ops.squeeze(out, 0) : out;
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), fill_mode: this.fillMode, interpolation: this.interpolation, fill_value: this.fillValue };
  }
}

/** Keras' per-entry check of the translation / zoom factors: a number `f` is `[-|f|, |f|]`, a pair is sorted, all in [-1, 1]. */
function affineFactor(layer: string, name: string, value: unknown): [number, number] {
  return elementwiseFactor(layer, name, value, [-1, 1], false);
}

export interface RandomTranslationArgs extends AffineArgs {
  /** Fraction of the height in [-1, 1]: `f` means [-|f|, |f|]; a pair is sorted. Kept as given in the config. */
  heightFactor?: Factor;
  widthFactor?: Factor;
}

/** `keras.layers.RandomTranslation`: shifts each image by random fractions of its height and width. */
export class RandomTranslation extends RandomAffineLayer {
  static override className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly h: [number, number];
  private readonly w: [number, number];

  constructor(heightFactor: Factor, widthFactor: Factor, options?: Omit<RandomTranslationArgs, 'heightFactor' | 'widthFactor'>);
  constructor(heightFactor: Factor, widthFactor: Factor, fillMode?: FillMode, interpolation?: AffineInterpolation, seed?: number | null, fillValue?: number, options?: RandomTranslationArgs);
  constructor(args: RandomTranslationArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomTranslationArgs>(['heightFactor', 'widthFactor', 'fillMode', 'interpolation', 'seed', 'fillValue'], args);
    super('RandomTranslation', a);
    this.h = affineFactor('RandomTranslation', 'height_factor', a.heightFactor);
    this.w = affineFactor('RandomTranslation', 'width_factor', a.widthFactor);
    this.heightFactor = a.heightFactor!;
    this.widthFactor = a.widthFactor!;
  }

  protected transformFor(height: number, width: number): number[] {
    const dy = this.draw(this.h[0], this.h[1]) * height;
    const dx = this.draw(this.w[0], this.w[1]) * width;
    return [1, 0, -dx, 0, 1, -dy, 0, 0];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), height_factor: this.heightFactor, width_factor: this.widthFactor };
  }
}
registerClass('layer', RandomTranslation, { module: 'keras.layers', className: 'RandomTranslation' });

export interface RandomRotationArgs extends AffineArgs {
  /** Fraction of 2π (Keras `_set_factor`, bounds [-1, 1]): `f` means angles in [-|f| 2π, |f| 2π]; a pair is sorted. */
  factor?: Factor;
}

/** `keras.layers.RandomRotation`: rotates each image about its centre by an angle `U[lower, upper) * 2π`. */
export class RandomRotation extends RandomAffineLayer {
  static override className = 'RandomRotation';
  /** The `(lower, upper)` pair of Keras' `_set_factor` (also what `getConfig` stores). */
  readonly factor: [number, number];
  private readonly range: [number, number];

  constructor(factor: Factor, options?: Omit<RandomRotationArgs, 'factor'>);
  constructor(factor: Factor, fillMode?: FillMode, interpolation?: AffineInterpolation, seed?: number | null, fillValue?: number, options?: RandomRotationArgs);
  constructor(args: RandomRotationArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomRotationArgs>(['factor', 'fillMode', 'interpolation', 'seed', 'fillValue'], args);
    super('RandomRotation', a);
    this.range = kerasFactor('RandomRotation', 'factor', a.factor, [-1, 1]);
    this.factor = [...this.range];
  }

  protected transformFor(height: number, width: number): number[] {
    const angle = this.draw(this.range[0], this.range[1]) * 2 * Math.PI;
    return rotationTransform(angle, height, width);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), factor: [...this.factor] };
  }
}
registerClass('layer', RandomRotation, { module: 'keras.layers', className: 'RandomRotation' });

/** Keras' rotation matrix (output -> input) about the image centre. */
export function rotationTransform(angle: number, height: number, width: number): number[] {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const xOff = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
  const yOff = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
  return [cos, -sin, xOff, sin, cos, yOff, 0, 0];
}

export interface RandomZoomArgs extends AffineArgs {
  /** In [-1, 1]: `f` means zoom factors 1 + [-|f|, |f|] on the height (negative zooms in); a pair is sorted. */
  heightFactor?: Factor;
  /** Defaults to `null`: the width keeps the aspect ratio (same zoom as the height). */
  widthFactor?: Factor | null;
}

/** `keras.layers.RandomZoom`: zooms each image in or out about its centre. */
export class RandomZoom extends RandomAffineLayer {
  static override className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly h: [number, number];
  private readonly w: [number, number] | null;

  constructor(heightFactor: Factor, widthFactor?: Factor | null, options?: Omit<RandomZoomArgs, 'heightFactor' | 'widthFactor'>);
  constructor(heightFactor: Factor, widthFactor?: Factor | null, fillMode?: FillMode, interpolation?: AffineInterpolation, seed?: number | null, fillValue?: number, options?: RandomZoomArgs);
  constructor(args: RandomZoomArgs);
  constructor(...args: unknown[]) {
    const a = positional<RandomZoomArgs>(['heightFactor', 'widthFactor', 'fillMode', 'interpolation', 'seed', 'fillValue'], args);
    super('RandomZoom', a);
    this.h = affineFactor('RandomZoom', 'height_factor', a.heightFactor);
    this.w = a.widthFactor != null ? affineFactor('RandomZoom', 'width_factor', a.widthFactor) : null;
    this.heightFactor = a.heightFactor!;
    this.widthFactor = a.widthFactor ?? null;
  }

  protected transformFor(height: number, width: number): number[] {
    const zh = 1 + this.draw(this.h[0], this.h[1]);
    const zw = this.w != null ? 1 + this.draw(this.w[0], this.w[1]) : zh;
    return zoomTransform(zh, zw, height, width);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), height_factor: this.heightFactor, width_factor: this.widthFactor };
  }
}
registerClass('layer', RandomZoom, { module: 'keras.layers', className: 'RandomZoom' });

/** Keras' zoom matrix (output -> input) about the image centre. */
export function zoomTransform(zh: number, zw: number, height: number, width: number): number[] {
  return [zw, 0, ((width - 1) / 2) * (1 - zw), 0, zh, ((height - 1) / 2) * (1 - zh), 0, 0];
}
