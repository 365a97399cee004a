import { ops, type Shape, type Tensor, tidy, ValueError } from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, normalizeTuple, positional } from '../utils/args';
import { applyAxisMatrix, bilinearMatrix, repeatAxis } from './spatial-utils';

export type Interpolation = 'nearest' | 'bilinear';

export interface UpSamplingArgs extends LayerArgs {
  /** Upsampling factor per spatial axis (an int means the same on every axis). */
  size?: number | number[];
  dataFormat?: DataFormat | null;
  interpolation?: Interpolation;
}

/** Shared by UpSampling1D/2D/3D: repeats (or bilinearly resizes) each spatial axis by `size`. */
export abstract class UpSamplingBase extends Layer {
  readonly size: number[];
  readonly dataFormat: DataFormat;
  readonly interpolation: Interpolation;

  constructor(n: number, names: readonly string[], args: unknown[], fallback: number) {
    const a = positional<UpSamplingArgs>(names, args);
    super(a);
    this.size = normalizeTuple(a.size ?? fallback, n, 'size');
    this.dataFormat = normalizeDataFormat(n === 1 ? null : a.dataFormat);
    const interp = (a.interpolation ?? 'nearest').toLowerCase();
    if (interp !== 'nearest' && interp !== 'bilinear') {
      throw new ValueError(`\`interpolation\` argument should be one of: "nearest", "bilinear" (Strata supports these two). Received: "${a.interpolation}".`);
    }
    if (interp === 'bilinear' && n !== 2) throw new ValueError('Only UpSampling2D supports bilinear interpolation.');
    this.interpolation = interp;
    this.inputSpec = new InputSpec({ ndim: n + 2 });
    this.built = true;
  }

  private firstAxis(): number {
    return this.dataFormat === 'channels_last' ? 1 : 2;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    const first = this.firstAxis();
    return tidy(() => {
      let y = x;
      this.size.forEach((s, i) => {
        const axis = first + i;
        if (this.interpolation === 'nearest') y = s === 1 ? y : repeatAxis(y, s, axis);
        else y = applyAxisMatrix(y.dtype === 'float32' ? y : ops.cast(y, 'float32'), axis, bilinearMatrix(y.shape[axis]!, y.shape[axis]! * s));
      });
      return y === x ? ops.identity(x) : y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const first = this.firstAxis();
    return shape.map((d, i) => {
      const s = this.size[i - first];
      return s == null || d == null ? (d ?? null) : d * s;
    });
  }

}
